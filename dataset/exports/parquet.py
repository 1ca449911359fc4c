"""The Parquet export: the tidy table with typed columns (date32, string, float64)."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .reading import iter_observations
from .schema import PARQUET_COLUMNS, PARQUET_NAME

ARROW_TYPES = {"date32": pa.date32(), "string": pa.string(), "float64": pa.float64()}
PARQUET_SCHEMA = pa.schema([(name, ARROW_TYPES[type_]) for name, type_ in PARQUET_COLUMNS])


def write_parquet(directory: Path) -> list[Path]:
    """One Parquet file with typed columns (date32, string, float64), written chunk by chunk."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PARQUET_NAME
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        for chunk in iter_observations():
            frame = chunk.assign(date=pd.to_datetime(chunk["date"], format="%Y-%m-%d").dt.date)
            writer.write_table(pa.Table.from_pandas(frame, schema=PARQUET_SCHEMA, preserve_index=False))
    return [path]
