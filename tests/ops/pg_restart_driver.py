"""The Django side of test_pg_restart.py, run as a subprocess on the test's private PostgreSQL server.

`python tests/ops/pg_restart_driver.py setup`: the reference data and a dataset of N_LOCATIONS × N_DATES
values; `submit ROUND`: an approved submission changing half the values and adding as many, its merge
dispatched to the worker, the dataset before it saved for `check`; `check ID`: the submission was merged
exactly once and the dataset is what one clean merge gives. Each prints one JSON line; several commands
may follow one another in one start.
"""

import json
import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from contributions.models import Submission  # noqa: E402
from dataset.upsert import upsert_observations  # noqa: E402
from places.models import Location  # noqa: E402
from places.reference import load_reference_data  # noqa: E402
from review.tasks import merge_submission  # noqa: E402
from sources.models import Source  # noqa: E402
from tests.accounts.factories import UserFactory  # noqa: E402
from tests.faults.test_merge_faults import assert_merged_once  # noqa: E402
from tests.review.builders import dataset_rows, frame_for, make_submission  # noqa: E402
from tests.sources.factories import make_source  # noqa: E402

N_LOCATIONS = int(os.environ.get("PG_RESTART_LOCATIONS", 200))
N_DATES = 500
STATE = Path(settings.MEDIA_ROOT) / "driver"


def keys() -> list[str]:
    return list(Location.objects.order_by("pk").values_list("key", flat=True)[:N_LOCATIONS])


def dates() -> list[str]:
    return pd.date_range("2020-01-22", periods=N_DATES).strftime("%Y-%m-%d").tolist()


def setup() -> dict:
    load_reference_data()
    source = make_source(priority=100)
    upsert_observations(
        frame_for(keys(), ["confirmed"], dates()), source=source, description="base", schedule_exports=False
    )
    UserFactory(email="vol@example.org")
    return {"values": N_LOCATIONS * N_DATES}


def submit(round_number: int) -> dict:
    """Half the values changed, half on new dates (as in tests/faults/test_merge_faults.py)."""
    half = N_DATES // 2
    new_dates = pd.date_range(dates()[-1], periods=half + 1)[1:].strftime("%Y-%m-%d").tolist()
    frame = frame_for(keys(), ["confirmed"], dates()[half:] + new_dates, value=lambda i: i + round_number * 0.5)
    submission = make_submission(
        submitter=User.objects.get(email="vol@example.org"),
        source=Source.objects.get(priority=100),
        frame=frame,
        status=Submission.Status.APPROVED,
        approved_at=timezone.now(),
    )
    STATE.mkdir(parents=True, exist_ok=True)
    dataset_rows().to_pickle(STATE / f"{submission.pk}-before.pkl")
    frame.to_pickle(STATE / f"{submission.pk}-frame.pkl")
    merge_submission.delay(submission.pk)
    return {"submission": submission.pk, "values": len(frame)}


def check(submission_id: int) -> dict:
    submission = Submission.objects.get(pk=submission_id)
    before = pd.read_pickle(STATE / f"{submission_id}-before.pkl")  # noqa: S301 (written by this script)
    frame = pd.read_pickle(STATE / f"{submission_id}-frame.pkl")  # noqa: S301
    assert_merged_once(submission, frame, before)
    return {"submission": submission_id, "merged_once": True}


if __name__ == "__main__":
    # Several commands in one start (`check 4 submit 5`): Django and pandas load once.
    words = sys.argv[1:]
    while words:
        command = words.pop(0)
        if command == "setup":
            print(json.dumps(setup()), flush=True)
        else:
            action = {"submit": submit, "check": check}[command]
            print(json.dumps(action(int(words.pop(0)))), flush=True)
