"""The tidy CSV (+ gzip): date,location_key,location_name,metric,value,source, one row per value."""

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .cells import escape_cell, format_values
from .reading import iter_observations
from .schema import TIDY_HEADER, TIDY_NAME


def _csv_rows(chunk: pd.DataFrame) -> Iterator[tuple[str, ...]]:
    """A tidy chunk as CSV rows: text cells escaped (once per distinct text), numbers formatted."""
    columns: list[list[str]] = []
    for column in TIDY_HEADER:
        if column == "value":
            columns.append(format_values(chunk["value"].to_numpy()).tolist())
        elif column == "date":
            columns.append(chunk["date"].tolist())
        else:
            values = chunk[column].tolist()
            escaped = {text: escape_cell(text) for text in set(values)}
            columns.append([escaped[text] for text in values])
    return zip(*columns, strict=True)


def write_tidy(directory: Path, *, gzip_copy: bool = True) -> list[Path]:
    """date,location_key,location_name,metric,value,source sorted by date, location_key, metric."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / TIDY_NAME
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TIDY_HEADER)
        for chunk in iter_observations():
            writer.writerows(_csv_rows(chunk))
    written = [path]
    if gzip_copy:
        gz_path = directory / (TIDY_NAME + ".gz")
        with (
            path.open("rb") as src,
            gz_path.open("wb") as raw,
            gzip.GzipFile(filename=TIDY_NAME, mode="wb", fileobj=raw, mtime=0, compresslevel=6) as dst,
        ):
            shutil.copyfileobj(src, dst, length=1 << 20)
        written.append(gz_path)
    return written
