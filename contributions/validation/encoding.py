"""Text columns as integer codes and a small table of distinct texts (a million rows share a few
hundred names), and categoricals built from them without a Python loop per row."""

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

RUNS_FROM_ROWS = 100_000  # columns this long are checked for runs of equal texts
RUNS_PROBE = 10_000


def category(codes: np.ndarray | list[int], categories: Iterable[object]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes), categories=pd.Index(list(categories), dtype=object))


def constant(value: object, n: int) -> pd.Categorical:
    return category(np.zeros(n, dtype="int8"), [value])


def encode(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct stripped texts of a column (categorical or strings), without a Python loop per row.
    Every text of a column of strings is in some row (a categorical's may not be); a missing cell has code -1."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), [str(u) for u in values.cat.categories]
    elif isinstance(values.array, pd.arrays.ArrowStringArray) and not values.hasnans:
        codes, uniques = _arrow_codes(pa.array(values.array))
    else:
        codes, found = pd.factorize(values)
        uniques = [str(u) for u in found]
    stripped = [u.strip() for u in uniques]
    if stripped != uniques:
        remap, merged = pd.factorize(pd.Series(stripped, dtype=object))
        return np.append(remap, -1)[codes], [str(u) for u in merged]  # a missing cell's -1 stays -1
    return np.asarray(codes), uniques


def _arrow_codes(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """int32 codes and distinct texts with Arrow's hash kernel (pandas would widen codes to int64).

    A column made of long runs of the same text (the place or the metric of a long file sorted by
    them) is hashed once per run: finding the runs is a cheaper pass than hashing every row."""
    starts = None
    if len(texts) >= RUNS_FROM_ROWS:
        probe = texts[:RUNS_PROBE]
        if pc.sum(pc.not_equal(probe[1:], probe[:-1])).as_py() < RUNS_PROBE // 16:
            changes = pc.not_equal(texts[1:], texts[:-1]).to_numpy(zero_copy_only=False)
            starts = np.flatnonzero(changes)
            starts += 1
            starts = np.concatenate(([0], starts)) if len(starts) < len(texts) // 16 else None
    encoded = pc.dictionary_encode(texts if starts is None else texts.take(pa.array(starts)))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy()
    if starts is not None:
        codes = np.repeat(codes, np.diff(np.append(starts, len(texts))))
    return codes, [str(u) for u in encoded.dictionary.to_pylist()]


def small_int_codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of non-negative database ids: a table lookup, faster than hashing."""
    if not len(ids):
        return np.zeros(0, dtype="int32"), ids
    present = np.flatnonzero(np.bincount(ids))
    # The dtype pandas keeps for this many categories, so from_codes does not copy the codes again.
    dtype = "int8" if len(present) < 127 else "int16" if len(present) < 32767 else "int32"
    table = np.zeros(int(present[-1]) + 1, dtype=dtype)
    table[present] = np.arange(len(present), dtype=dtype)
    return table[ids], present


def texts_at(column: pd.Series, positions: np.ndarray) -> list[str]:
    """The texts of `column` at `positions`, as a list: a categorical's codes index its categories
    directly (going through pandas' Arrow strings would convert them one at a time)."""
    values = column.array
    if isinstance(values, pd.Categorical):
        texts: list[str] = np.asarray(values.categories, dtype=object)[values.codes[positions]].astype(str).tolist()
        return texts
    return [str(v) for v in column.iloc[positions].to_numpy(dtype=object)]
