"""Real official files through the web pages: a volunteer uploads each one and, where it needs one,
answers the mapping page once; a reviewer of the country approves it; the merged values match the
file, and every number the dataset did not take is named in the report with its reason.

The volunteer's choices for each file are in journeys.py (shared with scripts/real_files_table.py).
"""

import os
import time
from typing import cast

import pytest
from django.test import Client

from contributions.contracts import ColumnMapping
from contributions.models import Submission
from contributions.parsing import parse_file
from contributions.validation import validate
from dataset.models import Observation
from tests.sources.factories import make_source

from .accounting import account, expected_sample, filtered_rows_in_report, named_columns
from .conftest import record
from .journeys import JOURNEYS, Journey
from .walk import approve, problem_summary, upload_and_map

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # five files through every page: 20 to 50 s


def national_source(journey: Journey):
    return make_source(
        country=journey.country,
        name=f"Official figures of {journey.country}",
        metrics=sorted(set(journey.value_columns.values())),
    )


def validation_seconds(journey: Journey, submission: Submission) -> float:
    """Parse and validate the file again with the mapping the journey saved (what the table reports)."""
    started = time.perf_counter()
    mapping = cast(ColumnMapping, {k: v for k, v in (submission.mapping or {}).items() if v is not None})
    parsed = parse_file(journey.path, filename=journey.filename, mapping=mapping)
    country = submission.source.country
    result = validate(parsed, mapping=mapping or None, default_country=country, source_country=country)
    seconds = time.perf_counter() - started
    assert len(result.frame) == submission.row_count
    return seconds


@pytest.mark.parametrize("key", list(JOURNEYS))
def test_a_real_file_gets_through_the_web_pages_into_the_dataset(
    key, client, people, django_capture_on_commit_callbacks
):
    journey = JOURNEYS[key]
    volunteer, reviewer = people(journey.country)
    source = national_source(journey)
    record(key, steps=journey.steps())

    def run_on_commit():
        return django_capture_on_commit_callbacks(execute=True)

    client.force_login(volunteer)
    walked = upload_and_map(client, journey, source, run_on_commit)
    submission = walked.submission
    record(key, validation_seconds=walked.seconds)
    assert submission.status == Submission.Status.AWAITING_REVIEW, problem_summary(submission)
    if os.environ.get("REAL_FILES_TABLE") == "1":
        record(key, validation_seconds=validation_seconds(journey, submission))

    counted = account(journey, submission.report)
    record(key, left_out=counted.reasons(), taken=submission.row_count)
    assert not counted.unexplained, (
        f"numbers neither taken nor named in the report (column: values): {counted.unexplained}"
    )
    assert not counted.miscounted, f"the report's count of a column left out is not the file's: {counted.miscounted}"
    assert submission.row_count == counted.taken, problem_summary(submission)
    CHECKS[key](submission, counted)

    reviewing = Client()
    reviewing.force_login(reviewer)
    approve(reviewing, submission, run_on_commit)
    assert submission.status == Submission.Status.MERGED, submission.merge_error or submission.get_status_display()

    merged = Observation.objects.filter(submission=submission)
    assert merged.count() == counted.taken
    record(key, taken=merged.count())
    wanted = expected_sample(journey)
    assert len(wanted) >= 5
    stored = {
        (o.location.key, o.metric.code, o.date): o.value
        for o in merged.select_related("location", "metric").filter(
            location__key__in={w[0] for w in wanted}, date__in={w[2] for w in wanted}
        )
    }
    wrong = []
    for place, metric, day, value, where in wanted:
        if stored.get((place, metric, day)) != value:
            wrong.append(
                f"{where}: {place}/{metric} on {day} is {value:g}; the dataset has {stored.get((place, metric, day))}"
            )
    assert not wrong, "\n".join(wrong)
    record(key, passed=True)


# --- what each file leaves out, and why ----------------------------------------------------------


def named(submission, column):
    """The report's problems about one column."""
    return [e for e in submission.report["problems"] if e.get("column") == column]


def check_italy(submission, counted):
    # The numbered sheets repeat the series one day each and `dati` is the national series: the volunteer
    # reads the series; every other sheet is named as not read, with the reason.
    others = [name for name in JOURNEYS["IT"].sheets() if name != JOURNEYS["IT"].sheet]
    assert sorted(counted.sheets_not_read) == sorted(others)
    unexplained = [name for name, reason in counted.sheets_not_read.items() if not reason]
    assert not unexplained, f"sheets not read with no reason in the report: {unexplained}"


def check_south_africa(submission, counted):
    # `total` and `UNKNOWN` are named with their values, neither summed into a province nor taken as
    # the country's figure.
    cells = {c: counted_cells(submission, c) for c in ("total", "UNKNOWN")}
    for column, count in cells.items():
        entries = named(submission, column)
        assert entries, f"the report does not say what happened to column {column!r}"
        assert any((e.get("row_count") or 0) == count for e in entries), (column, count, entries)
    assert not Observation.objects.filter(location__key="ZA").exists()


def check_korea(submission, counted):
    # confirmed, released (the recovered) and deceased are all taken; only the hour of the report is not.
    left = {column for column, said in named_columns(submission.report, "").items() if said.values}
    assert left == {"time"}, left


def check_portugal(submission, counted):
    # The country is the place; the Azores' and Madeira's columns are theirs; the columns of regions we
    # have no place for (the ARS), of age groups and of sex are named in the report with their reason.
    journey = JOURNEYS["PT"]
    named = named_columns(submission.report, "")
    parts = [c for c in journey.sheets()[""].columns if c.startswith(("confirmados_", "obitos_", "recuperados_"))]
    silent = [c for c in parts if c not in journey.value_columns and not (c in named and named[c].reason)]
    assert not silent, f"columns of regions, ages or sexes neither taken nor named in the report: {silent}"


def check_france(submission, counted):
    # The rows of other publishers and of the world are left out by the row filter, counted.
    assert counted.rows_filtered > 0
    assert filtered_rows_in_report(submission.report) == counted.rows_filtered


def counted_cells(submission, column):
    from .journeys import numeric

    return int(numeric(JOURNEYS["ZA"].sheets()[""][column]).notna().sum())


CHECKS = {
    "IT": check_italy,
    "ZA": check_south_africa,
    "KR": check_korea,
    "PT": check_portugal,
    "FR": check_france,
}
