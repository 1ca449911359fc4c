"""The one way values enter the canonical dataset: a set-based upsert that writes history and a release.

Both `import_jhu` and the moderation merge call `upsert_observations`. Values are staged in a
temporary table (PostgreSQL: COPY; SQLite: executemany in batches), then compared, recorded and
written with a handful of set-based statements, so a million values never become Python objects.

Priority: a value whose current source has a higher priority than the writer's is left alone unless
`allow_override` (skipped, named in `UpsertResult.kept`); a value a higher-priority source gives again
unchanged moves to it (provenance and a history row), so a lower-priority one cannot replace it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.locking import DATASET_WRITERS, hold_until_commit
from sources.models import Source

from .bulk_load import bulk_load
from .exports.reading import epoch_days_sql
from .keys import key_sql
from .models import Observation, ObservationHistory, Release

COLUMNS = ["location_id", "metric_id", "date", "value"]
CHUNK_ROWS = 100_000
STAGE = "_upsert_stage"
PLAN = "_upsert_plan"
PLAN_KEY = "_upsert_plan_key"
# What the plan says about a staged value that already exists: the same value (keep), another value that
# wins (replace) or not (skip), the same value from a higher-priority source (confirm: provenance moves).
KEEP, REPLACE, SKIP, CONFIRM = 0, 1, 2, 3
WRITTEN_MAX = 200_000  # above: the snapshot reads the release's values from the dataset


class UpsertError(ValueError):
    """The values cannot be written as given (missing columns, empty cells, duplicates)."""


@dataclass(frozen=True)
class KeptSeries:
    """Values of one series left to a higher-priority source: which, from when to when, how many."""

    source_id: int
    location_id: int
    metric_id: int
    first_date: date
    last_date: date
    count: int


@dataclass
class UpsertResult:
    release: Release | None
    added: int
    changed: int
    unchanged: int  # the same value as before, `reattributed` included
    skipped: int
    reattributed: int = 0  # unchanged values whose provenance moved to this higher-priority source
    kept: list[KeptSeries] = field(default_factory=list)  # the skipped values, per source and series
    # The values the release wrote as (keys, values, source_ids) arrays (dataset/keys.py), read from
    # the stage for the value snapshot (snapshots.advance); None above WRITTEN_MAX values.
    written: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.reattributed)


def upsert_observations(
    frame: pd.DataFrame | Iterable[pd.DataFrame],
    *,
    source,
    submission=None,
    description: str,
    allow_override: bool = True,
    changelog: str = "",
    schedule_exports: bool = True,
) -> UpsertResult:
    """Write values into the canonical dataset in one transaction and return what happened.

    `frame` has the columns location_id, metric_id, date, value (or is an iterable of such
    chunks, so callers can stream). A Release is created only when a value is added or changed;
    each changed value gets an ObservationHistory row. A value whose current source has a higher
    priority than `source` is left alone (counted as skipped, listed per series in `kept`) unless
    `allow_override`; the same value from a source of higher priority than its current one moves to
    that source (a history row, `reattributed`). When a release is made, its exports are scheduled
    after commit (unless `schedule_exports` is False).
    """
    chunks = [frame] if isinstance(frame, pd.DataFrame) else frame
    vendor = connection.vendor
    with transaction.atomic():
        hold_until_commit(DATASET_WRITERS)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                # A bigger page cache for this connection: index pages stay in memory during the load.
                cursor.execute("PRAGMA cache_size = -262144")
            _create_stage(cursor, vendor)
            staged = 0
            for chunk in chunks:
                for part in _split(chunk):
                    staged += _stage(cursor, vendor, _prepare(part))
            result = _apply(
                cursor,
                vendor,
                source=source,
                submission=submission,
                description=description,
                allow_override=allow_override,
                changelog=changelog,
            )
            # Only on success: after an error the transaction is rolled back, and the stage (created
            # in it) with it; a query here would hide the error (a dropped connection) behind another.
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"DROP TABLE IF EXISTS {PLAN}")
        if result.release is not None and schedule_exports:
            release_id = result.release.pk

            def dispatch():
                from .tasks import build_exports

                build_exports.delay(release_id)

            transaction.on_commit(dispatch)
    return result


def _split(chunk: pd.DataFrame):
    for start in range(0, len(chunk), CHUNK_ROWS):
        yield chunk.iloc[start : start + CHUNK_ROWS]


def _prepare(chunk: pd.DataFrame) -> pd.DataFrame:
    """Check one chunk and bring it to the staging types: integer ids, ISO date text, float value."""
    missing = [c for c in COLUMNS if c not in chunk.columns]
    if missing:
        raise UpsertError(f"missing columns: {', '.join(missing)}")
    chunk = chunk[COLUMNS]
    if chunk.isna().any().any():
        column = chunk.columns[chunk.isna().any()][0]
        raise UpsertError(f"empty cells in column {column}")
    value = pd.to_numeric(chunk["value"], errors="coerce").astype("float64")
    if not np.isfinite(value.to_numpy()).all():
        raise UpsertError("values must be finite numbers")
    dates = chunk["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates.astype(str), format="%Y-%m-%d")
    days = dates.to_numpy().astype("datetime64[D]")
    location_ids = chunk["location_id"].astype("int64").to_numpy()
    metric_ids = chunk["metric_id"].astype("int64").to_numpy()
    # In key order: the join with the dataset and the writes then walk its unique index in order.
    order = np.lexsort((days, metric_ids, location_ids))
    return pd.DataFrame(
        {
            "location_id": location_ids[order],
            "metric_id": metric_ids[order],
            "date": np.datetime_as_string(days[order], unit="D"),
            "value": value.to_numpy()[order],
        }
    )


def _create_stage(cursor, vendor):
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    if vendor == "postgresql":
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (location_id bigint NOT NULL, metric_id bigint NOT NULL, "
            "date date NOT NULL, value double precision NOT NULL)"
        )
    else:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (location_id integer NOT NULL, metric_id integer NOT NULL, "
            "date text NOT NULL, value real NOT NULL)"
        )


def _stage(cursor, vendor, chunk: pd.DataFrame) -> int:
    if chunk.empty:
        return 0
    if vendor == "postgresql":
        # Arrow's CSV writer is several times faster than DataFrame.to_csv and writes doubles exactly.
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(
            pa.Table.from_pandas(chunk, preserve_index=False),
            buffer,
            pa_csv.WriteOptions(include_header=False, quoting_style="none"),
        )
        with cursor.cursor.copy(f"COPY {STAGE} (location_id, metric_id, date, value) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue().to_pybytes())
    else:
        rows = zip(
            chunk["location_id"].tolist(),
            chunk["metric_id"].tolist(),
            chunk["date"].tolist(),
            chunk["value"].tolist(),
            strict=True,
        )
        cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", rows)  # noqa: S608
    return len(chunk)


# The SQL below interpolates only our own table names and fixed fragments; values go as parameters.
def _apply(cursor, vendor, *, source, submission, description, allow_override, changelog) -> UpsertResult:
    """Compare the staged values with the dataset once, then write history, updates and inserts.

    One join of the stage with the dataset fills a plan table with every staged value that already
    exists and what to do with it (keep, replace, confirm, or leave for a higher-priority source);
    counts, history and updates read the plan, and new values are the staged ones the plan does not
    hold (found through an index on the plan, so each lookup is a search, not a scan).
    """
    obs = Observation._meta.db_table
    hist = ObservationHistory._meta.db_table
    source_table = source._meta.db_table
    priority = int(source.priority)
    if allow_override:
        replaceable, params = "TRUE", []
    else:
        replaceable, params = "src.priority <= %s", [priority]
    if vendor == "postgresql":
        cursor.execute(f"ANALYZE {STAGE}")
    cursor.execute(f"DROP TABLE IF EXISTS {PLAN}")
    # PostgreSQL: where each row was read (its ctid), so the update finds it without walking an index.
    address = "o.ctid AS observation_tid, " if vendor == "postgresql" else ""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {PLAN} AS "  # noqa: S608
        "SELECT s.location_id, s.metric_id, s.date, s.value, o.id AS observation_id, o.value AS old_value, "
        f"o.source_id AS old_source_id, o.release_id AS old_release_id, {address}"
        f"CASE WHEN o.value = s.value THEN (CASE WHEN src.priority < %s THEN {CONFIRM} ELSE {KEEP} END) "
        f"WHEN {replaceable} THEN {REPLACE} ELSE {SKIP} END AS action "
        f"FROM {STAGE} s JOIN {obs} o "
        "ON o.location_id = s.location_id AND o.metric_id = s.metric_id AND o.date = s.date "
        f"JOIN {source_table} src ON src.id = o.source_id",
        [priority, *params],
    )
    # Two staged values for one key: among values we already have, found here; among new ones,
    # the unique constraint refuses them when they are inserted (below).
    _refuse_duplicates(cursor, PLAN)
    cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")  # noqa: S608
    total = cursor.fetchone()[0]
    cursor.execute(f"SELECT action, COUNT(*) FROM {PLAN} GROUP BY action")  # noqa: S608
    counts = dict(cursor.fetchall())
    same, changed, skipped, reattributed = (int(counts.get(action, 0)) for action in (KEEP, REPLACE, SKIP, CONFIRM))
    result = UpsertResult(
        release=None,
        added=total - same - changed - skipped - reattributed,
        changed=changed,
        unchanged=same + reattributed,
        skipped=skipped,
        reattributed=reattributed,
        kept=_kept(cursor) if skipped else [],
    )
    if not result.changed_anything:
        return result

    release = Release.objects.create(
        number=Release.next_number(),
        description=description[:300],
        values_added=result.added,
        values_changed=changed,
        values_unchanged=result.unchanged,
        values_skipped=skipped,
        changelog=changelog or summary(description, result),
    )
    result.release = release
    if submission is not None:
        release.submissions.add(submission)
    submission_id = submission.pk if submission is not None else None
    if changed or reattributed:
        rewritten = f"action IN ({REPLACE}, {CONFIRM})"
        cursor.execute(
            f"INSERT INTO {hist} (location_id, metric_id, date, old_value, new_value, old_source_id, "  # noqa: S608
            "new_source_id, old_release_id, release_id, submission_id, changed_at) "
            "SELECT location_id, metric_id, date, old_value, value, old_source_id, %s, old_release_id, %s, %s, %s "
            f"FROM {PLAN} WHERE {rewritten}",
            [source.pk, release.pk, submission_id, timezone.now()],
        )
        _rewrite(cursor, vendor, rewritten, [source.pk, submission_id, release.pk], expected=changed + reattributed)
    if result.added:
        # In key order, so the unique index grows at its end instead of all over the place.
        if result.added == total:
            new = f"SELECT * FROM {STAGE}"  # noqa: S608 (table names are constants of this module)
        else:
            _index_plan(cursor, vendor)
            new = (
                f"SELECT * FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {PLAN} p "  # noqa: S608
                "WHERE p.location_id = s.location_id AND p.metric_id = s.metric_id AND p.date = s.date)"
            )
        try:
            with transaction.atomic(), bulk_load(cursor, Observation, rows=result.added):
                cursor.execute(
                    f"INSERT INTO {obs} (location_id, metric_id, date, value, source_id, submission_id, release_id) "  # noqa: S608
                    f"SELECT n.location_id, n.metric_id, n.date, n.value, %s, %s, %s FROM ({new}) n "
                    "ORDER BY n.location_id, n.metric_id, n.date",
                    [source.pk, submission_id, release.pk],
                )
        except IntegrityError:
            _refuse_duplicates(cursor, STAGE)
            raise
    if result.added + changed + reattributed <= WRITTEN_MAX:
        result.written = _written(cursor, source.pk)
    return result


def _rewrite(cursor, vendor, rewritten: str, params: list, *, expected: int) -> None:
    """Write the plan's `rewritten` values over their rows (`params`: source, submission, release).

    PostgreSQL finds each row where the plan read it (ctid): one heap page a value, no descent of the
    primary key (at 10M values, 23,000 pages fewer read for 50,000 values). A row a writer outside the
    lock moved since fails the id check, and the values not written then are written by id, as before."""
    obs = Observation._meta.db_table
    update = f"UPDATE {obs} SET value = p.value, source_id = %s, submission_id = %s, release_id = %s FROM {PLAN} p "  # noqa: S608
    by_id = f"{update}WHERE p.{rewritten} AND {obs}.id = p.observation_id"
    if vendor == "postgresql":
        cursor.execute(f"{by_id} AND {obs}.ctid = p.observation_tid", params)
        if cursor.rowcount == expected:
            return
        by_id, params = f"{by_id} AND {obs}.release_id <> %s", [*params, params[2]]
    cursor.execute(by_id, params)


def _written(cursor, source_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The staged values the release wrote (all but those kept or skipped): its changes, read from the
    stage (the size of the upload) instead of the dataset."""
    cursor.execute(
        f"SELECT {key_sql(epoch_days_sql('w.date'))}, value FROM ("  # noqa: S608
        f"SELECT s.location_id, s.metric_id, s.date, s.value FROM {STAGE} s LEFT JOIN {PLAN} p "
        "ON p.location_id = s.location_id AND p.metric_id = s.metric_id AND p.date = s.date "
        f"WHERE p.action IS NULL OR p.action IN ({REPLACE}, {CONFIRM})) w"
    )
    rows = cursor.fetchall()
    keys = np.array([row[0] for row in rows], dtype="int64")
    values = np.array([row[1] for row in rows], dtype="float64")
    return keys, values, np.full(len(keys), source_id, dtype="int64")


def _index_plan(cursor, vendor) -> None:
    """The plan by key, for the new values' NOT EXISTS: without it SQLite scans the whole plan once per
    staged value (180k values: 31 minutes). PostgreSQL gets its statistics (index or hash anti-join)."""
    cursor.execute(f"CREATE INDEX {PLAN_KEY} ON {PLAN} (location_id, metric_id, date)")
    if vendor == "postgresql":
        cursor.execute(f"ANALYZE {PLAN}")


def _kept(cursor) -> list[KeptSeries]:
    """The skipped values of the plan, one entry per current source, location and metric."""
    cursor.execute(
        "SELECT old_source_id, location_id, metric_id, MIN(date), MAX(date), COUNT(*) "  # noqa: S608
        f"FROM {PLAN} WHERE action = {SKIP} GROUP BY old_source_id, location_id, metric_id "
        "ORDER BY old_source_id, location_id, metric_id"
    )
    day = date.fromisoformat  # str() of a date (PostgreSQL) or the ISO text itself (SQLite)
    return [
        KeptSeries(int(source_id), int(location_id), int(metric_id), day(str(first)), day(str(last)), int(count))
        for source_id, location_id, metric_id, first, last, count in cursor.fetchall()
    ]


def kept_by_source(kept: list[KeptSeries]) -> list[tuple[Source, int]]:
    """The sources whose values were kept, with how many of each, most first."""
    totals: dict[int, int] = {}
    for series in kept:
        totals[series.source_id] = totals.get(series.source_id, 0) + series.count
    sources = Source.objects.in_bulk(list(totals))
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [(sources[pk], count) for pk, count in ranked if pk in sources]


def summary(description: str, result: UpsertResult) -> str:
    """The release's changelog: what was added, changed, confirmed and kept for higher-priority sources."""
    text = f"{description}: {result.added} values added, {result.changed} changed, {result.unchanged} unchanged."
    if result.reattributed:
        text += f" {result.reattributed} unchanged values now cite this source (it outranks the one they came from)."
    if result.skipped:
        named = "; ".join(f"{source.name}: {count}" for source, count in kept_by_source(result.kept))
        text += f" {result.skipped} values kept from higher-priority sources" + (f" ({named})." if named else ".")
    return text


def _refuse_duplicates(cursor, table: str) -> None:
    """Raise UpsertError naming a (location, metric, date) that `table` holds more than once."""
    cursor.execute(
        f"SELECT location_id, metric_id, date FROM {table} "  # noqa: S608
        "GROUP BY location_id, metric_id, date HAVING COUNT(*) > 1 LIMIT 1"
    )
    key = cursor.fetchone()
    if key:
        raise UpsertError(f"more than one value for location {key[0]}, metric {key[1]}, date {key[2]}")
