"""The Parquet export: the tidy table with typed columns (date32, string, float64)."""

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .reading import CHUNK_ROWS
from .schema import PARQUET_COLUMNS, PARQUET_NAME
from .table import Lookups, Table, from_database

ARROW_TYPES = {"date32": pa.date32(), "string": pa.string(), "float64": pa.float64()}
PARQUET_SCHEMA = pa.schema([(name, ARROW_TYPES[type_]) for name, type_ in PARQUET_COLUMNS])
# Text in dictionaries; values split by byte (standard Parquet encoding, read by pyarrow, pandas,
# polars, DuckDB, Spark 3): 40 % smaller than plain values, and each release writes a new file.
WRITER_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": [name for name, type_ in PARQUET_COLUMNS if type_ == "string"],
    "column_encoding": {"value": "BYTE_STREAM_SPLIT"},
}


class _Names:
    """The names of ids as a string column: every name converted once (a dictionary over all the names,
    codes gathered from an array indexed by id: no sort per row group), then cast to plain strings."""

    def __init__(self, names: pd.Series):
        ids = names.index.to_numpy(dtype="int64")
        self.dictionary = pa.array(names.to_numpy(), type=pa.string())
        self.codes = np.full(int(ids.max()) + 1 if len(ids) else 1, -1, dtype="int32")
        self.codes[ids] = np.arange(len(ids), dtype="int32")

    def column(self, ids: np.ndarray) -> pa.Array:
        codes = self.codes[ids]
        mask = codes < 0  # an id without a name (none in practice): null, as reindex gave it
        indices = pa.array(codes, mask=mask) if mask.any() else pa.array(codes)
        return pa.DictionaryArray.from_arrays(indices, self.dictionary).cast(pa.string())


def write_parquet(
    directory: Path,
    *,
    table: Table | None = None,
    lookups: Lookups | None = None,
    parts: Iterable[Table] | None = None,
) -> list[Path]:
    """One Parquet file with typed columns (date32, string, float64), one row group per CHUNK_ROWS rows;
    from `parts` (tables one after another in the tidy order: streaming.tidy_parts) when given, the
    same bytes as from the table they make up."""
    directory.mkdir(parents=True, exist_ok=True)
    lookups = lookups or Lookups.read()
    if parts is None:
        parts = [table if table is not None else from_database(lookups)]
    path = directory / PARQUET_NAME
    location_keys, location_names = _Names(lookups.location_key), _Names(lookups.location_name)
    metric_codes, source_names = _Names(lookups.metric_code), _Names(lookups.source_name)
    with pq.ParquetWriter(path, PARQUET_SCHEMA, **WRITER_OPTIONS) as writer:
        for part in _row_groups(parts):
            columns = {
                "date": pa.array(part.days.astype("int32"), type=pa.int32()).cast(pa.date32()),
                "location_key": location_keys.column(part.location_ids),
                "location_name": location_names.column(part.location_ids),
                "metric": metric_codes.column(part.metric_ids),
                "value": pa.array(part.values, type=pa.float64()),
                "source": source_names.column(part.source_ids),
            }
            writer.write_table(pa.Table.from_pydict(columns, schema=PARQUET_SCHEMA))
    return [path]


def _row_groups(parts: Iterable[Table]) -> Iterator[Table]:
    """CHUNK_ROWS rows at a time (the last group fewer) across the parts, as from one table."""
    pending: Table | None = None
    for part in parts:
        if pending is not None:
            part = Table(*(np.concatenate(pair) for pair in zip(pending.columns(), part.columns(), strict=True)))
        full = len(part) // CHUNK_ROWS * CHUNK_ROWS
        for start in range(0, full, CHUNK_ROWS):
            yield part.take(np.arange(start, start + CHUNK_ROWS))
        pending = part.take(np.arange(full, len(part))) if full < len(part) else None
    if pending is not None:
        yield pending
