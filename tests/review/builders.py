"""Small builders for moderation and merge tests: normalised frames and submissions (on the factories).

Sources come from tests/sources/factories.py (make_source, SourceFactory)."""

import io
import itertools
import uuid

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from contributions.models import Submission
from places.models import Location, Metric
from places.resolver import LocationResolver
from tests.contributions.factories import SubmissionFactory


def frame_for(location_keys, metric_codes, dates, value=lambda i: i) -> pd.DataFrame:
    """A normalised frame (the columns validation stores) for every location × metric × date."""
    locations = dict(Location.objects.filter(key__in=location_keys).values_list("key", "id"))
    metrics = dict(Metric.objects.filter(code__in=metric_codes).values_list("code", "id"))
    keys, codes, days = zip(*itertools.product(location_keys, metric_codes, pd.to_datetime(dates)), strict=True)
    frame = pd.DataFrame({"location_key": keys, "metric": codes, "date": days})
    frame["location_id"] = frame["location_key"].map(locations).astype("int64")
    frame["metric_id"] = frame["metric"].map(metrics).astype("int64")
    frame["value"] = np.asarray([value(i) for i in range(len(frame))], dtype="float64")
    frame["row"] = np.arange(len(frame)) + 2
    frame["sheet"] = ""
    return frame


def store_parquet(frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return default_storage.save(f"normalised/{uuid.uuid4().hex}.parquet", ContentFile(buffer.getvalue()))


def make_submission(
    *,
    submitter,
    source,
    frame=None,
    kind=Submission.Kind.DATA,
    status=Submission.Status.AWAITING_REVIEW,
    country="IT",
    **fields,
) -> Submission:
    """A submission whose validated rows are `frame` (stored as the normalised Parquet), if given;
    its countries are the frame's, as validation records them."""
    submission = SubmissionFactory(
        kind=kind,
        submitter=submitter,
        source=source,
        country_key=country,
        status=status,
        normalised_path=store_parquet(frame) if frame is not None else "",
        row_count=0 if frame is None else len(frame),
        **fields,
    )
    if frame is not None:
        resolver = LocationResolver.current()
        roots = {resolver.country_of(resolver.places[int(pk)]).id for pk in frame["location_id"].unique()}
        submission.countries.set(roots)
    return submission


def dataset_rows() -> pd.DataFrame:
    """The canonical dataset as a sorted frame (location, metric, date, value, source) for comparisons."""
    from dataset.models import Observation

    rows = Observation.objects.order_by("location_id", "metric_id", "date").values_list(
        "location_id", "metric_id", "date", "value", "source_id"
    )
    return pd.DataFrame(list(rows), columns=["location_id", "metric_id", "date", "value", "source_id"])
