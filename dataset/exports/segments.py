"""The tidy CSV in pieces, so that a release rewrites only the pieces whose values changed.

The CSV is its header, then its rows cut into segments: the rows of a date and block of locations
(BLOCK_STARTS) form a group, and a group of more than SEGMENT_ROWS rows is cut into pieces of even size
(so that the segments a release rewrites do not grow with the dataset). Its .gz copy is one gzip member
per segment (a multi-member gzip file, which gzip, zcat, Python and R read as one
stream). A release appends its new segments, gzip-compressed, to one pack file under
EXPORTS_ROOT/store/packs, and its manifest lists every segment of its CSV as
[id, plain SHA-256, plain size, pack, offset, gzip size]: releases share every unchanged segment.
"""

import csv
import gzip
import hashlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .cells import csv_rows
from .manifests import Entry, store_root
from .reading import CHUNK_ROWS
from .schema import TIDY_HEADER
from .table import Lookups, Table

HEADER = (",".join(TIDY_HEADER) + "\n").encode()
HEADER_ID = -1
COMPRESSLEVEL = 6
# Where blocks of locations begin, by key: about 35 countries each (ISO 3166-1 codes by first letter),
# a country's regions with it. Fixed, so that any build of the same values cuts the same segments.
BLOCK_STARTS = ("", "C", "G", "L", "N", "S", "T")
# segment id = day * DAY_FACTOR + block * BLOCK_FACTOR + piece (LAYOUT 2; layout 1: day * DAY_FACTOR + block)
DAY_FACTOR, BLOCK_FACTOR = 1024, 128
LAYOUT, SEGMENT_ROWS = 2, 128


def blob_path(root: Path, sha: str) -> Path:
    return store_root(root) / "blobs" / sha[:2] / sha


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_blob(root: Path, path: Path) -> str:
    """Move a written file into the blob store (named by its SHA-256, kept once); return its SHA-256."""
    sha = sha256_of(path)
    stored = blob_path(root, sha)
    if not stored.exists():
        stored.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, stored)
    return sha


def link(source: Path, target: Path) -> None:
    """Hard-link a stored file into a release (a copy where the file system cannot link)."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def pack_path(root: Path, pack: str) -> Path:
    return store_root(root) / "packs" / f"{pack}.pack"


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=COMPRESSLEVEL, mtime=0)


def location_blocks(lookups: Lookups, size: int = 0) -> np.ndarray:
    """Each location id's block (an array indexed by id, at least `size` long; -1 for an unknown id)."""
    known = lookups.location_key.index.to_numpy().astype("int64")
    blocks = np.full(max(int(known.max()) + 1 if len(known) else 0, size), -1, dtype="int64")
    blocks[known] = (
        np.searchsorted(np.array(BLOCK_STARTS), lookups.location_key.to_numpy().astype(str), side="right") - 1
    )
    return blocks


def group_ids(days: np.ndarray, location_ids: np.ndarray, lookups: Lookups) -> np.ndarray:
    """Each row's group: its date and its location's block (the first segment id of the group)."""
    blocks = location_blocks(lookups, int(location_ids.max()) + 1 if len(location_ids) else 0)[location_ids]
    groups: np.ndarray = days * DAY_FACTOR + np.maximum(blocks, 0) * BLOCK_FACTOR
    return groups


def group_of(ids: np.ndarray) -> np.ndarray:
    """The groups of segment ids."""
    groups: np.ndarray = ids - ids % BLOCK_FACTOR
    return groups


def segment_ids(table: Table, lookups: Lookups, *, layout: int = LAYOUT) -> np.ndarray:
    """Each row's segment (rows in the tidy order, as a table's are, stay grouped). Layout 2: a group of
    more than SEGMENT_ROWS rows is cut into pieces of even size, so a segment holds the same number of
    rows however big the dataset; layout 1 (releases built before 2026-12-01): one segment per group."""
    if layout == 1:
        blocks = location_blocks(lookups, int(table.location_ids.max()) + 1 if len(table) else 0)
        legacy: np.ndarray = table.days * DAY_FACTOR + blocks[table.location_ids]
        return legacy
    groups = group_ids(table.days, table.location_ids, lookups)
    n = len(groups)
    if not n:
        return groups
    order = None if bool((groups[1:] >= groups[:-1]).all()) else np.argsort(groups, kind="stable")
    ordered = groups if order is None else groups[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, n))
    pieces = np.minimum(-(-sizes // SEGMENT_ROWS), BLOCK_FACTOR)  # per group
    position = np.arange(n) - np.repeat(starts, sizes)
    ids: np.ndarray = ordered + position * np.repeat(pieces, sizes) // np.repeat(sizes, sizes)
    if order is not None:
        ids[order] = ids.copy()
    return ids


def iter_segments(
    table: Table, lookups: Lookups, ids: np.ndarray, wanted: set[int] | None
) -> Iterator[tuple[int, bytes]]:
    """(id, CSV text) of the segments in `wanted` (every segment when None) in order, formatted about
    CHUNK_ROWS rows at a time: a caller writing them as they come holds a chunk's text, not the file's."""
    rows = np.arange(len(table)) if wanted is None else np.flatnonzero(np.isin(ids, list(wanted)))
    chosen, starts = np.unique(ids[rows], return_index=True)
    bounds = np.append(starts, len(rows))
    first = 0
    while first < len(chosen):  # whole segments
        last = int(np.searchsorted(bounds, bounds[first] + CHUNK_ROWS, side="right")) - 1
        last = min(max(last, first + 1), len(chosen))
        lines = list(csv_rows(table.take(rows[bounds[first] : bounds[last]]).frame(lookups)))
        for i in range(first, last):
            buffer = io.StringIO()
            part = lines[bounds[i] - bounds[first] : bounds[i + 1] - bounds[first]]
            csv.writer(buffer, lineterminator="\n").writerows(part)
            yield int(chosen[i]), buffer.getvalue().encode("utf-8")
        first = last


class PackWriter:
    """Appends one release's new segments to its pack file."""

    def __init__(self, root: Path, name: str):
        self.root, self.name = root, name
        self.path = pack_path(root, name)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("ab")
        self.offset = self.handle.tell()

    def add(self, segment: int, data: bytes) -> tuple[Entry, bytes]:
        """Store a segment; return its manifest entry and its gzip member."""
        packed = gzip_member(data)
        entry = [segment, hashlib.sha256(data).hexdigest(), len(data), self.name, self.offset, len(packed)]
        self.handle.write(packed)
        self.offset += len(packed)
        return entry, packed

    def close(self) -> None:
        self.handle.close()
        if self.offset == 0:
            self.path.unlink(missing_ok=True)


class PackReader:
    """Reads segments out of pack files, keeping each pack open once."""

    def __init__(self, root: Path):
        self.root = root
        self.handles: dict[str, io.BufferedReader] = {}

    def packed(self, entry: Entry) -> bytes:
        handle = self.handles.get(entry[3])
        if handle is None:
            handle = self.handles[entry[3]] = pack_path(self.root, entry[3]).open("rb")
        handle.seek(entry[4])
        return handle.read(entry[5])

    def plain(self, entry: Entry) -> bytes:
        return gzip.decompress(self.packed(entry))

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def iter_csv(root: Path, entries: list[Entry]) -> Iterator[bytes]:
    """The CSV of a manifest's segments (the first one is the header)."""
    reader = PackReader(root)
    try:
        for entry in entries:
            yield reader.plain(entry)
    finally:
        reader.close()


def iter_gzip(root: Path, entries: list[Entry]) -> Iterator[bytes]:
    reader = PackReader(root)
    try:
        for entry in entries:
            yield reader.packed(entry)
    finally:
        reader.close()
