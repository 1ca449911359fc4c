"""The normalised frame: every row's place, metric, date and value put together, sorted by
observation key, summed where the file asks for it and checked for duplicates."""

import numpy as np
import pandas as pd
import pyarrow as pa
from django.utils.translation import gettext_noop

from common import parallel
from dataset.keys import fits_metric_ids, key_parts, keys_by_code, observation_keys

from ..parsing import problem
from ..texts import Text
from .context import FRAME_COLUMNS, Context, Plan
from .dates import resolve_dates
from .encoding import category, constant, encode, small_int_codes
from .reshape import PLACE
from .resolution import AGGREGATED, DIRECT, IGNORED, resolve_locations, resolve_metrics
from .series import check_series, start_series_flags
from .values import parse_values, plain_values


def normalise_rows(ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]) -> tuple[pd.DataFrame, np.ndarray]:
    """The long frame of valid values, sorted by location, metric and date, checked for duplicates,
    and its rows' observation keys."""
    raw = pa.array(rows["raw_value"].astype("str"))
    plain = parallel.submit(plain_values, ctx.parsed, raw, rows=len(raw))  # meanwhile, dates and places
    # Dates, places and metrics are resolved once per distinct text: a code per row and a small table
    # per code. The rows' keys are put together from the tables, with no id or date array per row.
    date_codes, date_table = resolve_dates(ctx, rows, plans)
    location_codes, location_table, mode_table = _with_column_places(ctx, rows, *resolve_locations(ctx, rows, plans))
    metric_codes, metric_table = resolve_metrics(ctx, rows, plans)
    modes = mode_table[location_codes]
    tables = {
        "location_id": (location_codes, location_table),
        "metric_id": (metric_codes, metric_table),
        "date": (date_codes, date_table),
    }
    keep = np.ones(len(rows), dtype=bool)
    for codes, table in tables.values():
        usable = ~np.isnat(table) if table.dtype.kind == "M" else table >= 0
        if not usable.all():
            keep &= usable[codes]
    # Every row's key while the values are still being read; a second pass drops rows without one.
    keys, spare = keys_by_code(*(codes for codes, _ in tables.values()), *(table for _, table in tables.values()))
    values, empty = parse_values(ctx, rows, raw, plain.result())
    if empty.any() and any(p.layout == "long" for p in plans.values()):
        ctx.problems.add(
            problem(
                "empty_values",
                Text.ngettext(
                    "%(value)s row has no value and was left out.",
                    "%(value)s rows have no value and were left out.",
                    int(empty.sum()),
                    value=f"{int(empty.sum()):,}",
                ),
                severity="warning",
            )
        )
    if empty.all():
        return pd.DataFrame(columns=FRAME_COLUMNS), np.zeros(0, dtype="int64")
    _report_left_out(ctx, rows, modes, empty)
    keep &= ~np.isnan(values)
    pick = None if keep.all() else np.flatnonzero(keep)
    if pick is not None:
        keys, spare = keys[pick], spare[: len(pick)]
    spares = [spare]  # int64 arrays as long as keys that nothing uses any more, to write into
    # The rows to keep, gathered once and in key order (_combine would otherwise sort them); when
    # every row is kept in file order, as is common, nothing is gathered.
    order = None
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        unsorted, keys = keys, np.take(keys, order, out=spares.pop(), mode="clip")
        spares.append(unsorted)
        pick = order if pick is None else pick[order]
    columns = {
        "value": values,
        "row": rows["row"].to_numpy(),
        "sheet": rows["sheet"].array,
        "group": np.asarray(rows["group"]) if "group" in rows else np.zeros(len(rows), "int8"),
        "column": rows["column"].array,
        "mode": modes,
    }
    if pick is not None:
        columns = {name: _picked(array, pick) for name, array in columns.items()}
    if fits_metric_ids(max((pk for pk, _ in ctx.metrics.values()), default=0)):
        if order is not None and order.dtype == np.int64:
            spares.append(order)  # gathered with: free now
        pick = order = None
        columns.update(key_parts(keys, spares))  # one pass in order: cheaper than gathering ids and dates
    else:
        columns.update({name: table[codes if pick is None else codes[pick]] for name, (codes, table) in tables.items()})
    frame = pd.DataFrame(columns, copy=False)  # no copy into 2-D blocks: a million rows
    frame, keys = _combine(ctx, frame, keys)
    flags = start_series_flags(ctx, frame)  # meanwhile, the names
    frame = _with_names(ctx, frame)
    if not ctx.problems.has_errors:
        check_series(ctx, frame, flags)
    frame["sheet"] = frame["sheet"].astype("category")
    return frame[FRAME_COLUMNS], keys


def _picked(array: np.ndarray | pd.Categorical, pick: np.ndarray) -> np.ndarray | pd.Categorical:
    """array[pick]; a column that holds one value throughout (a long file's sheet, column and group)
    is made again at its new length instead of gathered."""
    if isinstance(array, pd.Categorical):
        if len(array.categories) == 1 and not (array.codes < 0).any():
            return constant(array.categories[0], len(pick))
    elif array.dtype == np.int8 and not array.any():
        return np.zeros(len(pick), dtype=np.int8)
    return array[pick]


def _with_column_places(
    ctx: Context, rows: pd.DataFrame, codes: np.ndarray, table: np.ndarray, modes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' location codes, tables of ids and modes, where a value whose column gives a place
    (one column per place, or "confirmados_acores") takes that place, not the row's."""
    if PLACE not in rows:
        return codes, table, modes
    place_codes, keys = encode(rows[PLACE])
    ids = np.array([place.id if (place := ctx.resolver.get(k)) else -1 for k in keys], dtype="int64")
    placed = (place_codes >= 0) & (ids >= 0)[np.maximum(place_codes, 0)]
    if not placed.any():
        return codes, table, modes
    codes = np.where(placed, len(table) + np.maximum(place_codes, 0), codes)
    table = np.concatenate([table, ids])
    modes = np.concatenate([modes, np.full(len(ids), DIRECT, dtype=modes.dtype)])
    return codes, table, modes


def _report_left_out(ctx: Context, rows: pd.DataFrame, modes: np.ndarray, empty: np.ndarray) -> None:
    """A warning for the values of places mapped to nothing (resolution names unknown places left out)."""
    ignored = (modes == IGNORED) & ~empty
    if ignored.any():
        ctx.problems.add(
            problem(
                "location_ignored",
                Text.ngettext(
                    "%(value)s value for a place mapped to nothing was left out.",
                    "%(value)s values for places mapped to nothing were left out.",
                    int(ignored.sum()),
                    value=f"{int(ignored.sum()):,}",
                ),
                severity="warning",
            )
        )


def _with_names(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Add location keys and metric codes to `frame` (categoricals: a million rows share a few hundred
    names) and return it."""
    places = ctx.resolver.places
    code_by_id = {pk: code for code, (pk, _) in ctx.metrics.items()}
    location_codes, location_ids = small_int_codes(frame["location_id"].to_numpy())
    metric_codes, metric_ids = small_int_codes(frame["metric_id"].to_numpy())
    # Set in place: assign() would copy a million rows first.
    frame["location_key"] = category(location_codes, [places[int(i)].key for i in location_ids])
    frame["metric"] = category(metric_codes, [code_by_id[int(i)] for i in metric_ids])
    return frame


def _sorted(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """`frame` in key order, and its observation keys."""
    keys = observation_keys(frame)
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        frame, keys = frame.take(order).reset_index(drop=True), keys[order]
    return frame, keys


def _combine(ctx: Context, frame: pd.DataFrame, sorted_keys: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Add up summed columns and aggregated sub-locations, then refuse conflicting duplicates.

    `frame` comes sorted by key, and `sorted_keys` are its observation keys; both are returned as
    they are after that."""
    keys = ["location_id", "metric_id", "date"]
    summing = (frame["group"].to_numpy() != 0) | (frame["mode"].to_numpy() == AGGREGATED)
    if summing.any():
        agg = (
            frame[summing]
            .groupby([*keys, "group", "mode"], as_index=False, sort=False)
            .agg(
                value=("value", "sum"),
                row=("row", "min"),
                sheet=("sheet", "first"),
                n=("row", "size"),
                column=("column", "first"),
            )
        )
        # resolution.py and subplaces.py name the places added up, per parent (and leave out what
        # would be counted twice).
        frame, sorted_keys = _sorted(pd.concat([frame[~summing], agg.drop(columns=["n"])], ignore_index=True))
    same = np.zeros(len(frame), dtype=bool)
    same[1:] = sorted_keys[1:] == sorted_keys[:-1]
    if same.any():
        duplicated = same | np.concatenate((same[1:], [False]))
        dups = _with_names(ctx, frame[duplicated])
        spread = dups.groupby(keys)["value"].transform("nunique")
        conflict = dups[spread > 1].astype({"location_key": "str", "metric": "str", "column": "str"})
        ctx.problems.add_rows(
            "conflicting_duplicate",
            "error",
            [
                Text(
                    gettext_noop(
                        "%(metric)s for %(location)s on %(date)s appears more than once with different values."
                    ),
                    metric=metric,
                    location=location,
                    date=date,
                )
                for metric, location, date in zip(
                    conflict["metric"].tolist(),
                    conflict["location_key"].tolist(),
                    conflict["date"].dt.strftime("%Y-%m-%d").tolist(),
                    strict=True,
                )
            ],
            conflict.assign(raw_value=conflict["value"]),
        )
        repeated = dups[(spread == 1) & same[duplicated]].astype({"column": "str"})
        ctx.problems.add_rows(
            "duplicate_row",
            "warning",
            Text(gettext_noop("The same value appears again (row ignored).")),
            repeated.assign(raw_value=repeated["value"]),
        )
        kept = np.ones(len(frame), dtype=bool)
        kept[repeated.index.to_numpy()] = False
        frame, sorted_keys = frame[kept].reset_index(drop=True), sorted_keys[kept]
    return frame, sorted_keys
