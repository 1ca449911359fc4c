"""The tidy CSV in pieces, so that a release rewrites only the pieces whose values changed.

The CSV is its header, then one segment per date and block of locations (BLOCK_STARTS); its .gz copy
is one gzip member per segment (a multi-member gzip file, which gzip, zcat, Python and R read as one
stream). A release appends its new segments, gzip-compressed, to one pack file under
EXPORTS_ROOT/store/packs, and its manifest lists every segment of its CSV as
[id, plain SHA-256, plain size, pack, offset, gzip size]: releases share every unchanged segment.
"""

import csv
import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .cells import csv_rows
from .reading import CHUNK_ROWS
from .schema import TIDY_HEADER
from .table import Lookups, Table

HEADER = (",".join(TIDY_HEADER) + "\n").encode()
HEADER_ID = -1
COMPRESSLEVEL = 6
# Where blocks of locations begin, by key: about 35 countries each (ISO 3166-1 codes by first letter),
# a country's regions with it. Fixed, so that any build of the same values cuts the same segments.
BLOCK_STARTS = ("", "C", "G", "L", "N", "S", "T")
DAY_FACTOR = 1024  # segment id = day * DAY_FACTOR + block

Entry = list[Any]  # [segment id, plain SHA-256, plain size, pack, offset, gzip size]
Manifest = dict[str, Any]


def store_root(root: Path) -> Path:
    return root / "store"


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


def manifest_path(root: Path, number: int) -> Path:
    return store_root(root) / "manifests" / f"{number}.json.gz"


def read_manifest(root: Path, number: int) -> Manifest | None:
    """Release `number`'s manifest, None when it has none (never built, or removed by retention)."""
    try:
        manifest: Manifest = json.loads(gzip.decompress(manifest_path(root, number).read_bytes()))
    except (OSError, ValueError, EOFError):
        return None
    return manifest


def write_manifest(root: Path, number: int, manifest: Manifest) -> None:
    """Compressed: a manifest lists every segment (8,000 on the demo dataset), 0.9 MB as plain JSON."""
    path = manifest_path(root, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    staging.write_bytes(gzip.compress(json.dumps(manifest, separators=(",", ":")).encode(), mtime=0))
    os.replace(staging, path)


def pack_path(root: Path, pack: str) -> Path:
    return store_root(root) / "packs" / f"{pack}.pack"


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=COMPRESSLEVEL, mtime=0)


def segment_ids(table: Table, lookups: Lookups) -> np.ndarray:
    """Each row's segment: its date and its location's block (rows in the tidy order stay grouped)."""
    block_of = pd.Series(
        np.searchsorted(np.array(BLOCK_STARTS), lookups.location_key.to_numpy().astype(str), side="right") - 1,
        index=lookups.location_key.index,
    )
    ids: np.ndarray = table.days * DAY_FACTOR + block_of.reindex(table.location_ids).to_numpy()
    return ids


def format_segments(table: Table, lookups: Lookups, ids: np.ndarray, wanted: set[int] | None) -> dict[int, bytes]:
    """The CSV text of the segments in `wanted` (every segment when None); `ids`: segment_ids."""
    rows = np.arange(len(table)) if wanted is None else np.flatnonzero(np.isin(ids, list(wanted)))
    out: dict[int, bytes] = {}
    chosen, starts = np.unique(ids[rows], return_index=True)
    bounds = np.append(starts, len(rows))
    first = 0
    while first < len(chosen):  # about CHUNK_ROWS rows at a time, whole segments
        last = int(np.searchsorted(bounds, bounds[first] + CHUNK_ROWS, side="right")) - 1
        last = min(max(last, first + 1), len(chosen))
        lines = list(csv_rows(table.take(rows[bounds[first] : bounds[last]]).frame(lookups)))
        for i in range(first, last):
            buffer = io.StringIO()
            part = lines[bounds[i] - bounds[first] : bounds[i + 1] - bounds[first]]
            csv.writer(buffer, lineterminator="\n").writerows(part)
            out[int(chosen[i])] = buffer.getvalue().encode("utf-8")
        first = last
    return out


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
