"""Back up and restore a portal: a PostgreSQL dump (pg_dump's custom format) and a copy of the file store.

Used by `manage.py backup_portal` and `manage.py restore_portal` (docs/deployment.md, "Backup and
restore"). The dump holds the dataset, its history, releases and their checksums, accounts and the audit
log; the copy holds uploads, normalised frames and release files. Value snapshots (`cache/`) are left
out: they are rebuilt when missing. Files that share bytes (release files are hard links to one
another) are copied as hard links again, so a copy is no bigger than what it copies.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DUMP_NAME = "database.dump"
MEDIA_DIR = "media"
EXPORTS_DIR = "exports"
MANIFEST_NAME = "backup.json"
SKIPPED = ("cache",)  # rebuildable caches below MEDIA_ROOT
PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, as libpq's command-line tools take it."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> "Database":
        if not str(settings_dict.get("ENGINE", "")).endswith("postgresql"):
            raise BackupError("backup and restore need PostgreSQL (DATABASE_URL=postgres://...)")
        return cls(
            name=str(settings_dict["NAME"]),
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
        )

    def args(self) -> list[str]:
        options = [("--host", self.host), ("--port", self.port), ("--username", self.user)]
        return [f"{flag}={value}" for flag, value in options if value]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def pg_tool(name: str, bin_dir: str = "") -> str:
    """The path of pg_dump, pg_restore, createdb ...: from `bin_dir`, the PATH, or Debian's folders."""
    candidates = [Path(bin_dir) / name] if bin_dir else []
    found = shutil.which(name)
    candidates += [Path(found)] if found else []
    candidates += [Path(folder) / name for folder in PG_BIN_DIRS]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found: install PostgreSQL's client programs or pass --pg-bin")


def _run(command: list[str], database: Database) -> str:
    result = subprocess.run(command, env=database.env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def copy_tree(source: Path, target: Path, skip: tuple[str, ...] = ()) -> int:
    """Copy `source` into `target` (created), keeping hard links as hard links; the number of files copied."""
    copied: dict[tuple[int, int], Path] = {}
    count = 0
    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        if here == source:
            dirs[:] = [d for d in dirs if d not in skip]
        (target / here.relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in files:
            path = here / name
            destination = target / path.relative_to(source)
            stat = path.stat()
            first = copied.get((stat.st_dev, stat.st_ino)) if stat.st_nlink > 1 else None
            if first is not None:
                os.link(first, destination)
            else:
                shutil.copy2(path, destination)
                copied[(stat.st_dev, stat.st_ino)] = destination
            count += 1
    return count


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def backup(*, output: Path, database: Database, media_root: Path, exports_root: Path, pg_bin: str = "") -> dict:
    """Write `output`/database.dump and a copy of the files; return what was written (also in backup.json)."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty: give a new folder for each backup")
    output.mkdir(parents=True, exist_ok=True)
    dump = output / DUMP_NAME
    _run([pg_tool("pg_dump", pg_bin), *database.args(), "--format=custom", f"--file={dump}", database.name], database)
    manifest: dict[str, Any] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database.name,
        "dump_bytes": dump.stat().st_size,
        "media_files": copy_tree(Path(media_root), output / MEDIA_DIR, SKIPPED) if Path(media_root).exists() else 0,
        "exports_files": 0,
    }
    if Path(exports_root).exists() and not _inside(Path(exports_root), Path(media_root)):
        manifest["exports_files"] = copy_tree(Path(exports_root), output / EXPORTS_DIR)
    (output / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _empty_or_missing(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def restore(
    *, source: Path, database: Database, media_root: Path, exports_root: Path, pg_bin: str = "", jobs: int = 1
) -> dict:
    """Create `database` (it must not exist), restore the dump into it and copy the files into empty folders."""
    source = Path(source)
    dump = source / DUMP_NAME
    if not dump.is_file():
        raise BackupError(f"{dump} not found: is {source} a folder written by backup_portal?")
    separate_exports = not _inside(Path(exports_root), Path(media_root))
    for folder in [Path(media_root)] + ([Path(exports_root)] if separate_exports else []):
        if not _empty_or_missing(folder):
            raise BackupError(f"{folder} is not empty: restore into an empty file store")
    _run([pg_tool("createdb", pg_bin), *database.args(), "--template=template0", database.name], database)
    _run(
        [
            pg_tool("pg_restore", pg_bin),
            *database.args(),
            f"--dbname={database.name}",
            "--no-owner",
            "--exit-on-error",
            f"--jobs={jobs}",
            str(dump),
        ],
        database,
    )
    restored = {"database": database.name, "media_files": 0, "exports_files": 0}
    if (source / MEDIA_DIR).is_dir():
        restored["media_files"] = copy_tree(source / MEDIA_DIR, Path(media_root))
    if (source / EXPORTS_DIR).is_dir():
        target = Path(exports_root) if separate_exports else Path(media_root) / EXPORTS_DIR
        restored["exports_files"] = copy_tree(source / EXPORTS_DIR, target)
    return restored
