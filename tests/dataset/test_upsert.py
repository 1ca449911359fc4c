"""upsert_observations: releases only for changes, history for every changed value, source priority."""

from datetime import date

import pandas as pd
import pytest
from django.db import IntegrityError, transaction

from dataset import upsert
from dataset.models import Observation, ObservationHistory, Release
from dataset.upsert import KeptSeries, UpsertError, upsert_observations
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
    history = ObservationHistory.objects.get(date=date(2020, 3, 2))
    assert (history.old_value, history.new_value) == (2036, 2502)
    assert (history.old_source, history.new_source) == (aggregator, ministry)
    assert (history.old_release, history.release) == (first.release, second.release)
    changed = value("IT", "confirmed", date(2020, 3, 2))
    assert (changed.value, changed.source, changed.release) == (2502, ministry, second.release)
    assert value("IT", "deaths", date(2020, 3, 2)).release == first.release  # not in the second upload


def test_a_value_of_the_same_source_given_again_keeps_its_release(aggregator):
    first = upsert_observations(frame(*FIRST), source=aggregator, description="first")
    upsert_observations(frame(FIRST[0], ("IT", "deaths", "2020-03-03", 60)), source=aggregator, description="more")
    kept = value("IT", "confirmed", date(2020, 3, 1))
    assert (kept.source, kept.release) == (aggregator, first.release)
    assert not ObservationHistory.objects.exists()


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
    monkeypatch.setattr("dataset.bulk_load.BULK_ROWS", 1)
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


def test_the_kept_values_are_named_per_source_and_series(aggregator, ministry):
    upsert_observations(frame(*FIRST), source=ministry, description="official")
    kept = upsert_observations(
        frame(
            ("IT", "confirmed", "2020-03-01", 1),
            ("IT", "confirmed", "2020-03-02", 2),
            ("IT", "deaths", "2020-03-03", 3),
        ),
        source=aggregator,
        description="aggregator",
        allow_override=False,
    )
    italy, confirmed = Location.objects.get(key="IT").pk, Metric.objects.get(code="confirmed").pk
    assert (kept.added, kept.skipped) == (1, 2)
    assert kept.kept == [KeptSeries(ministry.pk, italy, confirmed, date(2020, 3, 1), date(2020, 3, 2), 2)]
    assert "2 values kept from higher-priority sources (Ministero della Salute: 2)" in kept.release.changelog


def test_a_higher_priority_source_giving_the_same_value_takes_it_over(aggregator, ministry):
    """A lower-priority A sets a value, a higher-priority B gives the same value: the value is B's,
    and A can no longer replace it without the override."""
    day = date(2020, 3, 1)
    first = upsert_observations(frame(FIRST[0]), source=aggregator, description="A", allow_override=False)
    confirmed = upsert_observations(frame(FIRST[0]), source=ministry, description="B", allow_override=False)
    assert (confirmed.added, confirmed.changed, confirmed.unchanged, confirmed.reattributed) == (0, 0, 1, 1)
    assert confirmed.release is not None
    assert confirmed.release.values_unchanged == 1
    assert "1 unchanged values now cite this source" in confirmed.release.changelog
    taken = value("IT", "confirmed", day)
    assert (taken.value, taken.source, taken.release) == (1694, ministry, confirmed.release)
    history = ObservationHistory.objects.get()
    assert (history.old_value, history.new_value) == (1694, 1694)
    assert (history.old_source, history.new_source) == (aggregator, ministry)
    assert (history.old_release, history.release) == (first.release, confirmed.release)

    again = upsert_observations(frame(FIRST[0]), source=aggregator, description="A again", allow_override=False)
    assert (again.release, again.reattributed, value("IT", "confirmed", day).source) == (None, 0, ministry)

    changed = frame(("IT", "confirmed", "2020-03-01", 1700))
    refused = upsert_observations(changed, source=aggregator, description="A changes it", allow_override=False)
    assert (refused.skipped, refused.changed, refused.release) == (1, 0, None)
    assert value("IT", "confirmed", day).value == 1694
    forced = upsert_observations(changed, source=aggregator, description="A, override", allow_override=True)
    assert forced.changed == 1
    assert (value("IT", "confirmed", day).value, value("IT", "confirmed", day).source) == (1700, aggregator)


def test_a_value_whose_row_moved_after_the_plan_read_it_is_still_written(aggregator, ministry, monkeypatch):
    """PostgreSQL updates rows where the plan read them; a row rewritten in between (a new version
    elsewhere in the table) is found by id instead, and every changed value is written."""
    upsert_observations(frame(*FIRST), source=aggregator, description="first")
    moved = value("IT", "confirmed", date(2020, 3, 2)).pk
    check = upsert._refuse_duplicates

    def and_move_a_row(cursor, table):  # runs right after the plan is made
        cursor.execute("UPDATE dataset_observation SET value = value WHERE id = %s", [moved])
        check(cursor, table)

    monkeypatch.setattr(upsert, "_refuse_duplicates", and_move_a_row)
    second = upsert_observations(
        frame(("IT", "confirmed", "2020-03-01", 1700), ("IT", "confirmed", "2020-03-02", 2100)),
        source=ministry,
        description="correction",
    )
    assert second.changed == 2
    written = Observation.objects.filter(release=second.release).order_by("date")
    assert [(o.date.day, o.value, o.source) for o in written] == [(1, 1700, ministry), (2, 2100, ministry)]
    assert ObservationHistory.objects.filter(release=second.release).count() == 2
