"""The observation key: ordered like (location, metric, date), read back exactly, series found in it."""

import numpy as np
import pandas as pd

from dataset.keys import fits_metric_ids, key_array, key_parts, observation_keys, series_starts


def frame(rows):
    return pd.DataFrame(
        {
            "location_id": np.array([r[0] for r in rows], dtype="int64"),
            "metric_id": np.array([r[1] for r in rows], dtype="int64"),
            "date": pd.to_datetime([r[2] for r in rows]).to_numpy().astype("datetime64[s]"),
        }
    )


ROWS = [(7, 2, "2020-03-02"), (3, 9, "2023-03-09"), (7, 1, "2019-12-01"), (3, 9, "2020-01-22"), (7, 2, "2020-03-01")]


def test_keys_sort_like_location_metric_and_date():
    keys = observation_keys(frame(ROWS))

    assert [ROWS[i] for i in np.argsort(keys)] == sorted(ROWS)


def test_the_parts_come_back_from_the_keys():
    data = frame(ROWS)

    parts = key_parts(observation_keys(data), [])

    assert parts["location_id"].tolist() == data["location_id"].tolist()
    assert parts["metric_id"].tolist() == data["metric_id"].tolist()
    assert parts["date"].tolist() == data["date"].to_numpy().tolist()


def test_each_series_starts_where_its_location_or_metric_changes():
    keys = np.sort(observation_keys(frame(ROWS)))

    assert series_starts(keys).tolist() == [0, 2, 3]
    assert series_starts(keys[:0]).tolist() == []


DAY = np.array(["2020-03-01"], dtype="datetime64[s]")


def test_large_metric_ids_never_make_two_places_share_a_key():
    # Metric ids grow whenever the reference metrics are created again (the test suite does it
    # hundreds of times; a database restored and re-seeded too). With 8 bits for the metric,
    # (place 1, metric 261) and (place 2, metric 5) were the same key: one region's rows were
    # then reported as repeats of another's and left out.
    locations = np.array([1, 2, 1, 2, 70_000])
    metrics = np.array([261, 5, 5, 261, 40_000])
    days = np.repeat(DAY, len(locations))
    keys = key_array(locations, metrics, days)
    assert len(set(keys.tolist())) == len(keys)
    parts = key_parts(keys, [])
    assert parts["location_id"].tolist() == locations.tolist()
    assert parts["metric_id"].tolist() == metrics.tolist()
    assert (parts["date"] == days).all()
    assert fits_metric_ids(40_000)
