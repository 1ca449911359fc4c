"""upsert_observations: releases only for changes, history for every changed value, source priority."""

from datetime import date

import pandas as pd
import pytest
from django.db import IntegrityError, transaction

from dataset.models import Observation, ObservationHistory, Release
from dataset.upsert import UpsertError, upsert_observations
from places.models import Location, Metric
from sources.models import Source
from tests.sources.factories import SourceFactory


@pytest.fixture
def aggregator(reference_data):
    return SourceFactory(name="Aggregator", institution_type=Source.InstitutionType.AGGREGATOR)


@pytest.fixture
def ministry(reference_data):
    return SourceFactory(name="Ministero della Salute", institution_type=Source.InstitutionType.MINISTRY)


def frame(*rows):
    """rows of (location key, metric code, ISO date, value)."""
    ids = dict(Location.objects.filter(key__in={r[0] for r in rows}).values_list("key", "pk"))
    metrics = dict(Metric.objects.values_list("code", "pk"))
    return pd.DataFrame(
        [(ids[key], metrics[code], day, value) for key, code, day, value in rows],
        columns=["location_id", "metric_id", "date", "value"],
    )


def value(key, code, day):
    return Observation.objects.get(location__key=key, metric__code=code, date=day)


FIRST = [
    ("IT", "confirmed", "2020-03-01", 1694),
    ("IT", "confirmed", "2020-03-02", 2036),
    ("IT", "deaths", "2020-03-02", 52),
]


def test_new_values_make_a_release_with_counts(aggregator):
    result = upsert_observations(frame(*FIRST), source=aggregator, description="first")
    assert (result.added, result.changed, result.unchanged) == (3, 0, 0)
    assert result.release.number == 1
    assert result.release.values_added == 3
    assert value("IT", "confirmed", date(2020, 3, 2)).release == result.release


def test_the_same_values_again_make_no_release(aggregator):
    upsert_observations(frame(*FIRST), source=aggregator, description="first")
    again = upsert_observations(frame(*FIRST), source=aggregator, description="again")
    assert again.release is None
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    assert Release.objects.count() == 1
    assert not ObservationHistory.objects.exists()


def test_a_changed_value_creates_history_and_a_new_release(aggregator, ministry):
    first = upsert_observations(frame(*FIRST), source=aggregator, description="first")
    second = upsert_observations(
        frame(
            ("IT", "confirmed", "2020-03-01", 1694),
            ("IT", "confirmed", "2020-03-02", 2502),
            ("IT", "confirmed", "2020-03-03", 2502),
        ),
        source=ministry,
        description="correction",
    )
    assert (second.added, second.changed, second.unchanged) == (1, 1, 1)
    assert second.release.number == 2
    history = ObservationHistory.objects.get()
    assert (history.date, history.old_value, history.new_value) == (date(2020, 3, 2), 2036, 2502)
    assert (history.old_source, history.new_source) == (aggregator, ministry)
    assert (history.old_release, history.release) == (first.release, second.release)
    changed = value("IT", "confirmed", date(2020, 3, 2))
    assert (changed.value, changed.source, changed.release) == (2502, ministry, second.release)
    assert value("IT", "confirmed", date(2020, 3, 1)).release == first.release


def test_a_higher_priority_value_is_kept_unless_overridden(aggregator, ministry):
    upsert_observations(frame(*FIRST), source=ministry, description="official")
    kept = upsert_observations(
        frame(("IT", "deaths", "2020-03-02", 99)), source=aggregator, description="aggregator", allow_override=False
    )
    assert (kept.skipped, kept.changed, kept.release) == (1, 0, None)
    assert value("IT", "deaths", date(2020, 3, 2)).value == 52
    forced = upsert_observations(
        frame(("IT", "deaths", "2020-03-02", 99)),
        source=aggregator,
        description="aggregator, override",
        allow_override=True,
    )
    assert forced.changed == 1
    assert value("IT", "deaths", date(2020, 3, 2)).value == 99


def test_chunks_are_staged_together(aggregator):
    result = upsert_observations(iter([frame(*FIRST[:2]), frame(*FIRST[2:])]), source=aggregator, description="c")
    assert result.added == 3
    assert Observation.objects.count() == 3


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("duplicate", "more than one value"),
        ("empty", "empty cells"),
        ("missing", "missing columns"),
    ],
)
def test_bad_frames_are_refused_and_write_nothing(aggregator, bad, message):
    data = frame(*FIRST)
    if bad == "duplicate":
        data = pd.concat([data, data.iloc[:1].assign(value=5)])
    elif bad == "empty":
        data.loc[0, "value"] = None
    else:
        data = data.drop(columns=["metric_id"])
    with pytest.raises(UpsertError, match=message):
        upsert_observations(data, source=aggregator, description="bad")
    assert not Observation.objects.exists()
    assert not Release.objects.exists()


def _keys_and_indexes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'dataset_observation'::regclass")
        constraints = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'dataset_observation'::regclass"
        )
        return constraints, {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.parametrize("duplicate", [False, True])
def test_a_bulk_load_into_the_empty_table_keeps_its_keys_and_refuses_duplicates(aggregator, monkeypatch, duplicate):
    """A first import builds the keys and indexes after the INSERT; they must all come back, and still refuse."""
    monkeypatch.setattr("dataset.upsert.BULK_ROWS", 1)
    before = _keys_and_indexes()
    data = frame(*FIRST)
    if duplicate:
        data = pd.concat([data, data.iloc[:1].assign(value=5)])
        with pytest.raises(UpsertError, match="more than one value"):
            upsert_observations(data, source=aggregator, description="bulk")
        assert not Observation.objects.exists()
    else:
        assert upsert_observations(data, source=aggregator, description="bulk").added == 3
        copy = Observation.objects.first()
        copy.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():  # the unique key is back and checks
            copy.save()
    assert _keys_and_indexes() == before
    assert "one_value_per_location_metric_date" in before[0]
    assert "observation_date_idx" in before[1]
