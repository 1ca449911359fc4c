"""The database as the exports should write it, to compare files with."""

import pandas as pd

from dataset.exports.schema import TIDY_HEADER
from dataset.models import Observation


def database_frame() -> pd.DataFrame:
    rows = Observation.objects.values_list(
        "date", "location__key", "location__name", "metric__code", "value", "source__name"
    )
    frame = pd.DataFrame(list(rows), columns=TIDY_HEADER)
    frame["date"] = frame["date"].astype(str)
    return frame.sort_values(["date", "location_key", "metric"]).reset_index(drop=True)
