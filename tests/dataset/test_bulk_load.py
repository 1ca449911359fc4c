"""Large loads (dataset/bulk_load.py): whatever they drop for the INSERT comes back, and still refuses."""

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from dataset.models import Observation, Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.sources.factories import SourceFactory

MISSING = 987_654


@pytest.fixture
def bulk(monkeypatch):
    """Every load counts as bulk, so a few rows take the path a million do."""
    monkeypatch.setattr("dataset.bulk_load.BULK_ROWS", 1)


@pytest.fixture
def source(reference_data):
    return SourceFactory(name="Ministry")


def series(key: str, days: int, *, location_id: int | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "location_id": location_id or Location.objects.get(key=key).pk,
            "metric_id": Metric.objects.get(code="confirmed").pk,
            "date": pd.date_range("2020-03-01", periods=days).strftime("%Y-%m-%d"),
            "value": [float(i * 10) for i in range(days)],
        }
    )


def schema() -> set[tuple]:
    """The observation table's keys, indexes and triggers, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'dataset_observation'")
            return set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'dataset_observation'::regclass"
        )
        found = {("constraint", *row) for row in cursor.fetchall()}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dataset_observation'")
        found |= {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'dataset_observation'::regclass AND NOT tgisinternal"
        )
        return found | {("trigger", *row) for row in cursor.fetchall()}


def test_a_first_import_in_bulk_stores_every_value_and_leaves_the_table_as_it_was(bulk, source):
    before = schema()

    result = upsert_observations(series("IT", 30), source=source, description="import")

    assert result.added == Observation.objects.count() == 30
    assert schema() == before
    assert any("observation_date_idx" in str(entry) for entry in before)
    assert any("references" in str(entry) for entry in before)  # the reference check is a trigger


def test_a_bulk_load_pointing_at_a_missing_place_is_refused_whole(bulk, source):
    upsert_observations(series("IT", 3), source=source, description="first")
    before = schema()
    broken = pd.concat([series("FR", 5), series("FR", 5, location_id=MISSING)], ignore_index=True)
    broken["date"] = pd.date_range("2020-04-01", periods=10).strftime("%Y-%m-%d")

    with pytest.raises(IntegrityError):
        upsert_observations(broken, source=source, description="broken")

    assert Observation.objects.count() == 3  # not the five good values either
    assert Release.objects.count() == 1
    assert schema() == before
    # and a row written outside a load is checked again, as before it
    kept = Observation.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(
            location_id=MISSING, metric=kept.metric, date=kept.date, value=1, source=source, release=kept.release
        )


def test_a_bulk_load_smaller_than_the_table_keeps_its_index(bulk, source):
    """Rebuilding the index of the whole table would cost more than adding the new rows to it."""
    upsert_observations(series("IT", 40), source=source, description="first")

    with CaptureQueriesContext(connection) as queries:
        upsert_observations(series("FR", 10), source=source, description="a few more")

    assert not [q["sql"] for q in queries if "INDEX" in q["sql"].upper() and "observation_date_idx" in q["sql"]]
    assert Observation.objects.count() == 50
