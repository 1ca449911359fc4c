"""The dataset as columns in the tidy order, read from the value snapshot or, for a past release, from history.

The release exports are written from this table rather than by reading the database again: the
merge keeps the snapshot of the latest release's values (dataset/snapshots.py), so the exports of
a release read no value from the database. A past release's values come from the current ones and
ObservationHistory (dataset/vintages.py), which is how `export_dataset --release N` rebuilds them.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from places.models import Location, Metric
from sources.models import Source

from ..keys import split_keys
from ..models import JhuRow, Observation, Release
from ..vintages import SOURCE, VALUE, as_of
from .reading import epoch_days_sql, fetch_columns


@dataclass
class Lookups:
    """Names the files print for ids, and a fingerprint: files are written again when any of it changes."""

    location_key: pd.Series
    location_name: pd.Series
    metric_code: pd.Series
    source_name: pd.Series
    fingerprint: str

    @classmethod
    def read(cls) -> "Lookups":
        locations = pd.DataFrame(list(Location.objects.values_list("id", "key", "name")), columns=["id", "key", "name"])
        locations = locations.set_index("id").sort_index()
        metrics = pd.DataFrame(list(Metric.objects.values_list("id", "code")), columns=["id", "code"])
        metrics = metrics.set_index("id").sort_index()
        sources = pd.DataFrame(list(Source.objects.values_list("id", "name")), columns=["id", "name"])
        sources = sources.set_index("id").sort_index()
        digest = hashlib.sha256()
        for frame in (locations, metrics, sources):
            digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        # Everything else the files print: coordinates and levels (Data Package, JHU) and JHU's rows.
        for rows in (
            Location.objects.order_by("id").values_list(
                "id", "level", "parent_id", "country_code", "latitude", "longitude"
            ),
            Metric.objects.order_by("id").values_list("id", "name", "kind", "unit", "description", "display_order"),
            Source.objects.order_by("id").values_list("id", "institution", "url", "licence", "attribution"),
            JhuRow.objects.order_by("id").values_list(),
        ):
            digest.update(repr(list(rows)).encode())
        return cls(locations["key"], locations["name"], metrics["code"], sources["name"], digest.hexdigest())


@dataclass
class Table:
    """One row per value, sorted by date, location key and metric code (the tidy CSV's order)."""

    days: np.ndarray  # days since 1970-01-01, int64
    location_ids: np.ndarray
    metric_ids: np.ndarray
    values: np.ndarray
    source_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.days)

    def take(self, index: np.ndarray) -> "Table":
        return Table(*(column[index] for column in self.columns()))

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.days, self.location_ids, self.metric_ids, self.values, self.source_ids)

    def frame(self, lookups: Lookups) -> pd.DataFrame:
        """The rows as the tidy CSV's columns (raw text), as dataset/exports/reading.py gives them."""
        return pd.DataFrame(
            {
                "date": np.datetime_as_string(self.days.astype("datetime64[D]"), unit="D"),
                "location_key": lookups.location_key.reindex(self.location_ids).to_numpy(),
                "location_name": lookups.location_name.reindex(self.location_ids).to_numpy(),
                "metric": lookups.metric_code.reindex(self.metric_ids).to_numpy(),
                "value": self.values.astype("float64"),
                "source": lookups.source_name.reindex(self.source_ids).to_numpy(),
            }
        )


def tidy_order(columns: tuple[np.ndarray, ...], lookups: Lookups) -> Table:
    """Rows (days, location_ids, metric_ids, values, source_ids) sorted the tidy CSV's way."""
    days, location_ids, metric_ids, values, source_ids = columns
    order = tidy_permutation(np.asarray(days), np.asarray(location_ids), np.asarray(metric_ids), lookups)
    return Table(
        days[order].astype("int64"),
        location_ids[order].astype("int64"),
        metric_ids[order].astype("int64"),
        values[order].astype("float64"),
        source_ids[order].astype("int64"),
    )


def tidy_permutation(
    days: np.ndarray, location_ids: np.ndarray, metric_ids: np.ndarray, lookups: Lookups
) -> np.ndarray:
    """The stable order by (day, location key, metric code), as np.lexsort gives it.

    Rows usually come in runs of one series (a snapshot is sorted by series): the series are ranked
    once per run, then two stable sorts of 16-bit numbers (radix sorts, linear in the rows) order the
    rows by series and then by day, which is several times faster than lexsort on three columns."""
    location_rank = lookups.location_key.rank(method="dense").astype("int64")
    metric_rank = lookups.metric_code.rank(method="dense").astype("int64")
    n = len(days)
    if n:
        starts = np.flatnonzero(
            np.concatenate([[True], (location_ids[1:] != location_ids[:-1]) | (metric_ids[1:] != metric_ids[:-1])])
        )
        run_location = location_rank.reindex(location_ids[starts]).to_numpy()
        run_metric = metric_rank.reindex(metric_ids[starts]).to_numpy()
        # An id missing from the lookups ranks as NaN (a float array): lexsort below orders it last.
        all_ranked = run_location.dtype.kind == "i" and run_metric.dtype.kind == "i"
        pair = run_location * (len(metric_rank) + 1) + run_metric
        _, run_rank = np.unique(pair, return_inverse=True)
        first_day = int(days.min())
        if all_ranked and int(run_rank.max()) < 1 << 16 and int(days.max()) - first_day < 1 << 16:
            by_series = np.argsort(np.repeat(run_rank.astype("uint16"), np.diff(np.append(starts, n))), kind="stable")
            by_day = np.argsort((days[by_series] - first_day).astype("uint16"), kind="stable")
            ordered: np.ndarray = by_series[by_day]
            return ordered
    return np.lexsort(
        (metric_rank.reindex(metric_ids).to_numpy(), location_rank.reindex(location_ids).to_numpy(), days)
    )


def from_snapshot(keys: np.ndarray, values: np.ndarray, source_ids: np.ndarray, lookups: Lookups) -> Table:
    """The table of a value snapshot (keys as dataset/keys.py makes them)."""
    days, location_ids, metric_ids = split_keys(keys)
    return tidy_order((days, location_ids, metric_ids, np.asarray(values), np.asarray(source_ids)), lookups)


def as_of_release(release: Release, lookups: Lookups) -> Table:
    """The values published in `release`, from the current values and their history."""
    rows = list(
        as_of(Observation.objects.all(), release).values_list("date", "location_id", "metric_id", VALUE, SOURCE)
    )
    if not rows:
        return _empty()
    dates, location_ids, metric_ids, values, source_ids = zip(*rows, strict=True)
    days = np.array(dates, dtype="datetime64[D]").astype("int64")
    return tidy_order(
        (
            days,
            np.array(location_ids, dtype="int64"),
            np.array(metric_ids, dtype="int64"),
            np.array(values, dtype="float64"),
            np.array(source_ids, dtype="int64"),
        ),
        lookups,
    )


def from_database(lookups: Lookups) -> Table:
    """The current values, read from the database."""
    obs = Observation._meta.db_table
    days, location_ids, metric_ids, values, source_ids = fetch_columns(
        f"SELECT {epoch_days_sql('date')} AS date, location_id, metric_id, value, source_id FROM {obs}"  # noqa: S608
    )
    if not len(days):
        return _empty()
    return tidy_order(
        (days.astype("datetime64[D]").astype("int64"), location_ids, metric_ids, values, source_ids), lookups
    )


def _empty() -> Table:
    empty = np.zeros(0, dtype="int64")
    return Table(empty, empty, empty, empty.astype("float64"), empty)
