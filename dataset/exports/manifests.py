"""What a release's files are made of (store/manifests/<number>.json.gz): its CSV's segments, its blobs.

A manifest's segments are written as a delta on a base (store/manifests/base-<number>.json.gz, the full
list of some earlier release's segments): the entries that differ from the base and the ids the base has
and the release does not. A release starts from the previous release's delta on the same base and
changes only the entries it wrote (a `Listing`), and writes a new base when the delta has grown past a
share of it: a release handles about what changed, not a list as long as the dataset (81,000 entries at
10M values). `read_manifest` gives the full list either way, and reads a manifest written whole (before
the deltas: "segments" in the file) as it is.
"""

import collections
import functools
import gzip
import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Entry = list[Any]  # [segment id, plain SHA-256, plain size, pack, offset, gzip size]
Manifest = dict[str, Any]
# A new base once the delta holds more entries than this share of the base (and more than MIN_DELTA).
DELTA_SHARE, MIN_DELTA = 8, 2_000
# A base at 10M values (81,000 entries) compresses in 0.10 s at level 1, 0.29 s at 6, for 6 % more bytes.
COMPRESSLEVEL = 1
PLAIN_SIZE, PACK, GZIP_SIZE = 2, 3, 5  # an Entry's fields


def store_root(root: Path) -> Path:
    return root / "store"


def manifest_path(root: Path, number: int) -> Path:
    return store_root(root) / "manifests" / f"{number}.json.gz"


def base_path(root: Path, number: int) -> Path:
    return store_root(root) / "manifests" / f"base-{number}.json.gz"


def _load(path: Path) -> Any:
    return json.loads(gzip.decompress(path.read_bytes()))


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    text = json.dumps(data, separators=(",", ":")).encode()
    staging.write_bytes(gzip.compress(text, compresslevel=COMPRESSLEVEL, mtime=0))
    os.replace(staging, path)


@dataclass(frozen=True)
class Base:
    """A base's entries by id, with their totals (read once per version of the file and shared: never changed)."""

    number: int | None
    entries: dict[int, Entry]
    plain_size: int = 0
    gzip_size: int = 0
    packs: collections.Counter[str] = field(default_factory=collections.Counter)  # entries per pack

    @classmethod
    def of(cls, number: int | None, entries: dict[int, Entry]) -> "Base":
        return cls(
            number,
            entries,
            sum(entry[PLAIN_SIZE] for entry in entries.values()),
            sum(entry[GZIP_SIZE] for entry in entries.values()),
            collections.Counter(entry[PACK] for entry in entries.values()),
        )


NO_BASE = Base(None, {})


@dataclass
class Listing:
    """A release's segments: a base's entries, less `removed`, with `changed` (the entries that differ)."""

    base: Base = NO_BASE
    changed: dict[int, Entry] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)

    def get(self, segment: int) -> Entry | None:
        entry = self.changed.get(segment)
        if entry is None and segment not in self.removed:
            entry = self.base.entries.get(segment)
        return entry

    def __contains__(self, segment: int) -> bool:
        return self.get(segment) is not None

    def __bool__(self) -> bool:
        return bool(self.changed) or len(self.removed) < len(self.base.entries)

    def put(self, entry: Entry) -> None:
        segment = entry[0]
        self.removed.discard(segment)
        if self.base.entries.get(segment) == entry:
            self.changed.pop(segment, None)
        else:
            self.changed[segment] = entry

    def drop(self, segment: int) -> None:
        self.changed.pop(segment, None)
        if segment in self.base.entries:
            self.removed.add(segment)

    def copy(self) -> "Listing":
        return Listing(self.base, dict(self.changed), set(self.removed))

    def entries(self) -> list[Entry]:
        """Every entry, in order (a pass over the whole list: for serving the files, not for a release)."""
        merged = {**self.base.entries, **self.changed}
        for segment in self.removed:
            merged.pop(segment, None)
        return [merged[segment] for segment in sorted(merged)]

    def _replaced(self) -> list[Entry]:
        """The base's entries this listing does not have as they are."""
        gone = self.removed.union(self.changed)
        return [self.base.entries[segment] for segment in gone if segment in self.base.entries]

    def sizes(self) -> tuple[int, int]:
        """The CSV's and the .gz's sizes: the sums of the entries' plain and gzip sizes."""
        replaced, changed = self._replaced(), self.changed.values()
        plain = self.base.plain_size - sum(e[PLAIN_SIZE] for e in replaced) + sum(e[PLAIN_SIZE] for e in changed)
        packed = self.base.gzip_size - sum(e[GZIP_SIZE] for e in replaced) + sum(e[GZIP_SIZE] for e in changed)
        return plain, packed

    def packs(self) -> list[str]:
        """The packs holding at least one of the entries."""
        counts = self.base.packs.copy()
        counts.subtract(entry[PACK] for entry in self._replaced())
        return sorted({pack for pack, count in counts.items() if count > 0} | {e[PACK] for e in self.changed.values()})


def read_raw(root: Path, number: int) -> Manifest | None:
    """The manifest file as stored (a delta: "base", "changed", "removed"; or whole: "segments")."""
    try:
        manifest: Manifest = _load(manifest_path(root, number))
    except (OSError, ValueError, EOFError):
        return None
    return manifest


def read_listing(root: Path, number: int) -> tuple[Manifest, Listing] | None:
    """Release `number`'s manifest (without its segments) and its segments as a Listing; None when it has
    none (never built, removed by retention, or its base is missing)."""
    manifest = read_raw(root, number)
    if manifest is None:
        return None
    if "base" not in manifest:  # written whole, before the deltas: its next release writes a base
        listed = manifest.pop("segments", [])
        return manifest, Listing(changed={entry[0]: entry for entry in listed})
    base = read_base(root, manifest["base"])
    if base is None:
        return None
    changed = {entry[0]: entry for entry in manifest.pop("changed")}
    return manifest, Listing(base, changed, set(manifest.pop("removed")))


def read_manifest(root: Path, number: int) -> Manifest | None:
    """Release `number`'s manifest with its full list of segments (in order), None when it has none
    (never built, removed by retention, or its base is missing)."""
    read = read_listing(root, number)
    if read is None:
        return None
    manifest, listing = read
    manifest["segments"] = listing.entries()
    return manifest


def read_base(root: Path, number: int) -> Base | None:
    """A base, read once per version of the file: a worker reads the same base release after release,
    and the one it has just written is kept as written (reading 81,000 entries takes 0.2 s)."""
    path = base_path(root, number)
    try:
        stat = path.stat()
    except OSError:
        return None
    version = (stat.st_mtime_ns, stat.st_size)
    kept = _bases.get(path)
    if kept is not None and kept[0] == version:
        return kept[1]
    try:
        base = Base.of(number, {entry[0]: entry for entry in _load(path)["segments"]})
    except (OSError, ValueError, EOFError, KeyError):
        return None
    _keep_base(path, version, base)
    return base


_bases: dict[Path, tuple[tuple[int, int], Base]] = {}  # the last few bases read or written, by path
_bases_lock = threading.Lock()


def _keep_base(path: Path, version: tuple[int, int], base: Base) -> None:
    with _bases_lock:
        _bases.pop(path, None)
        while len(_bases) >= 4:
            del _bases[next(iter(_bases))]
        _bases[path] = (version, base)


def base_entries(root: Path, number: int) -> dict[int, Entry] | None:
    base = read_base(root, number)
    return None if base is None else base.entries


def write_listing(root: Path, number: int, manifest: Manifest, listing: Listing) -> None:
    """Store release `number`'s `manifest` (without "segments") with `listing` as a delta on its base, or
    on a new base of its own when it has none or the delta has grown too big; sets the manifest's "base"."""
    base = listing.base
    if base.number is None or len(listing.changed) + len(listing.removed) > max(
        MIN_DELTA, len(base.entries) // DELTA_SHARE
    ):
        listed = listing.entries()
        path = base_path(root, number)
        _dump(path, {"segments": listed})
        listing = Listing(Base.of(number, {entry[0]: entry for entry in listed}))
        stat = path.stat()
        _keep_base(path, (stat.st_mtime_ns, stat.st_size), listing.base)
    stored = {key: value for key, value in manifest.items() if key != "segments"}
    stored.update(
        base=listing.base.number,
        changed=[listing.changed[segment] for segment in sorted(listing.changed)],
        removed=sorted(listing.removed),
        packs=listing.packs(),
    )
    _dump(manifest_path(root, number), stored)


def write_raw(root: Path, number: int, manifest: Manifest) -> None:
    """Store release `number`'s manifest as read by read_raw, its segments untouched (its blobs changed)."""
    _dump(manifest_path(root, number), manifest)


def read_outline(root: Path, number: int) -> Manifest:
    """What retention needs of release `number`'s stored manifest ({} when it has none): its "blobs" and
    "finished", and its "references" (packs, bases), read once per version of the file (a kept release's
    delta lists up to an eighth of a base: 10,000 entries at 10M values, parsed for every release)."""
    path = manifest_path(root, number)
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _outline(root, number, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _outline(root: Path, number: int, mtime_ns: int, size: int) -> Manifest:
    manifest = read_raw(root, number) or {}
    if not manifest:
        return {}
    return {
        "blobs": manifest.get("blobs", {}),
        "finished": manifest.get("finished", True),
        "references": references(manifest),
    }


def references(manifest: Manifest) -> tuple[set[str], set[int]]:
    """The pack names and the bases a stored (raw) manifest uses."""
    if "base" in manifest:
        return set(manifest.get("packs", [])), {manifest["base"]}
    return {entry[3] for entry in manifest.get("segments", [])}, set()
