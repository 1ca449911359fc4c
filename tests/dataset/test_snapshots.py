"""The per-release snapshot of current values that diffs read instead of the database."""

import numpy as np
import pandas as pd
import pytest

from dataset import snapshots
from dataset.keys import observation_keys
from dataset.models import Observation, Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.sources.factories import SourceFactory


@pytest.fixture
def source(reference_data):
    return SourceFactory(name="Ministry")


def frame(values, day="2020-03-01"):
    """Italy and France confirmed on consecutive days from `day`."""
    ids = dict(Location.objects.filter(key__in=["IT", "FR"]).values_list("key", "pk"))
    metric = Metric.objects.get(code="confirmed").pk
    days = pd.date_range(day, periods=len(values))
    return pd.DataFrame(
        {
            "location_id": [ids["IT"]] * len(values) + [ids["FR"]] * len(values),
            "metric_id": metric,
            "date": list(days) * 2,
            "value": [float(v) for v in values] * 2,
        }
    )


def test_an_empty_dataset_has_no_values(source):
    current = snapshots.current()
    assert current.release is None
    assert (current.lookup(np.array([1, 2], dtype="int64")) == -1).all()


def test_the_snapshot_holds_every_current_value_under_the_keys_validation_computes(source):
    data = frame([10, 20, 30])
    upsert_observations(data, source=source, description="first")
    current = snapshots.current()

    assert current.release == Release.objects.get().number
    position = current.lookup(observation_keys(data))
    assert (position >= 0).all()
    assert current.values[position].tolist() == data["value"].tolist()
    assert set(current.source_ids[position]) == {source.pk}
    assert len(current.keys) == Observation.objects.count()
    other_day = observation_keys(frame([1], day="2021-01-01"))
    assert (current.lookup(other_day) == -1).all()


def test_it_is_read_from_disk_until_the_next_release(source, django_assert_num_queries):
    upsert_observations(frame([10, 20]), source=source, description="first")
    snapshots.current()
    with django_assert_num_queries(1):  # which release is the latest; no values from the database
        assert snapshots.current().values.tolist() == [10, 20, 10, 20]

    upsert_observations(frame([11, 20]), source=source, description="correction")
    current = snapshots.current()
    assert current.release == 2
    assert sorted(current.values.tolist()) == [11, 11, 20, 20]


def test_only_the_latest_snapshots_are_kept(source):
    for n in range(4):
        upsert_observations(frame([n + 1]), source=source, description=f"release {n}")
        snapshots.current()
    assert len(list(snapshots.root().glob("r*"))) == snapshots.KEPT


def test_values_read_for_an_older_release_are_not_saved_as_its_snapshot(source):
    upsert_observations(frame([10]), source=source, description="first")
    old = Release.objects.get()
    upsert_observations(frame([12]), source=source, description="second")

    snapshots.build(old)  # the values now are release 2's: they must not be filed under release 1
    assert not snapshots._directory(old).exists()


def test_a_snapshot_that_cannot_be_saved_still_gives_the_values(source, settings, tmp_path):
    upsert_observations(frame([10, 20]), source=source, description="first")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    settings.MEDIA_ROOT = blocker

    current = snapshots.current()
    assert sorted(current.values.tolist()) == [10, 10, 20, 20]
