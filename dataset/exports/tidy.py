"""The tidy CSV (+ gzip): date,location_key,location_name,metric,value,source, one row per value.

Written as segments.py cuts it (the header, then its segments; the .gz copy one gzip member per
segment), so a file written whole and one a release assembles from
stored segments are the same bytes.
"""

from contextlib import nullcontext
from pathlib import Path

from .schema import TIDY_NAME
from .segments import HEADER, LAYOUT, gzip_member, iter_segments, segment_ids
from .table import Lookups, Table, from_database


def write_tidy(
    directory: Path,
    *,
    gzip_copy: bool = True,
    table: Table | None = None,
    lookups: Lookups | None = None,
    layout: int = LAYOUT,
) -> list[Path]:
    """date,location_key,location_name,metric,value,source sorted by date, location_key, metric; the .gz
    one member per segment of `layout` (segments.segment_ids; the CSV is the same in every layout)."""
    directory.mkdir(parents=True, exist_ok=True)
    lookups = lookups or Lookups.read()
    table = table if table is not None else from_database(lookups)
    path = directory / TIDY_NAME
    gz_path = directory / (TIDY_NAME + ".gz")
    with path.open("wb") as handle, gz_path.open("wb") if gzip_copy else nullcontext() as packed:
        handle.write(HEADER)
        if packed is not None:
            packed.write(gzip_member(HEADER))
        for _, piece in iter_segments(table, lookups, segment_ids(table, lookups, layout=layout), None):
            handle.write(piece)  # written as formatted: a chunk's text in memory, not the file's
            if packed is not None:
                packed.write(gzip_member(piece))
    return [path, gz_path] if gzip_copy else [path]
