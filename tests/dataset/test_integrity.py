"""The dataset's foreign keys, checked by triggers per statement (dataset/integrity.py), still hold."""

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from dataset.models import Observation, ObservationHistory, Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.dataset.factories import ReleaseFactory
from tests.sources.factories import SourceFactory

MISSING = 987_654


@pytest.fixture
def source(reference_data):
    return SourceFactory(name="Ministry")


@pytest.fixture
def italy_confirmed(source):
    frame = pd.DataFrame(
        {
            "location_id": [Location.objects.get(key="IT").pk],
            "metric_id": [Metric.objects.get(code="confirmed").pk],
            "date": ["2020-03-01"],
            "value": [1694.0],
        }
    )
    upsert_observations(frame, source=source, description="first")
    return Observation.objects.get()


def refused(statement, params=()):
    """True when the database refuses the statement (inside a savepoint, so the test can go on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("column", ["location_id", "metric_id", "source_id", "submission_id", "release_id"])
def test_an_observation_pointing_at_a_missing_row_is_refused(italy_confirmed, column):
    assert refused(f"UPDATE dataset_observation SET {column} = %s", [MISSING])
    italy_confirmed.refresh_from_db()
    assert getattr(italy_confirmed, column) != MISSING


def test_an_insert_with_a_missing_location_is_refused_and_valid_rows_are_not(italy_confirmed):
    row = Observation.objects.values().get()
    columns = "location_id, metric_id, date, value, source_id, release_id"
    insert = f"INSERT INTO dataset_observation ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    assert refused(insert, [MISSING, row["metric_id"], "2020-03-02", 1.0, row["source_id"], row["release_id"]])
    assert not refused(
        insert, [row["location_id"], row["metric_id"], "2020-03-02", 1.0, row["source_id"], row["release_id"]]
    )
    assert Observation.objects.count() == 2


def test_a_history_row_pointing_at_a_missing_release_is_refused(italy_confirmed):
    obs = italy_confirmed
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationHistory.objects.create(
            location_id=obs.location_id,
            metric_id=obs.metric_id,
            date=obs.date,
            old_value=1,
            new_value=2,
            old_source_id=obs.source_id,
            new_source_id=obs.source_id,
            old_release_id=obs.release_id,
            release_id=MISSING,
        )
    assert not ObservationHistory.objects.exists()


def test_an_upsert_with_an_unknown_location_id_writes_nothing(source):
    frame = pd.DataFrame(
        {
            "location_id": [Location.objects.get(key="IT").pk, MISSING],
            "metric_id": [Metric.objects.get(code="confirmed").pk] * 2,
            "date": ["2020-03-01", "2020-03-01"],
            "value": [1.0, 2.0],
        }
    )
    with pytest.raises(IntegrityError):
        upsert_observations(frame, source=source, description="bad ids")
    assert not Observation.objects.exists()
    assert not Release.objects.exists()


@pytest.mark.postgres
def test_postgresql_refuses_deleting_a_row_the_dataset_refers_to(italy_confirmed, source):
    assert refused("DELETE FROM dataset_release WHERE id = %s", [italy_confirmed.release_id])
    assert refused("DELETE FROM sources_source WHERE id = %s", [source.pk])
    assert Release.objects.filter(pk=italy_confirmed.release_id).exists()
    unused = ReleaseFactory(description="nothing refers to it")
    assert not refused("DELETE FROM dataset_release WHERE id = %s", [unused.pk])
