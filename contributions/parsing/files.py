"""Reading an uploaded file: its type sniffed from the content, then the matching reader; nothing
raises on bad input (see contributions.parsing for the contract)."""

import contextlib
import mmap
from os import PathLike
from pathlib import Path

from django.utils.translation import gettext_noop

from ..contracts import ColumnMapping
from ..texts import Text
from .delimited import read_delimited
from .json_records import read_json
from .parsed import ParsedFile, Unreadable, problem
from .sniffing import detect_number_format, sniff_kind, to_utf8
from .xlsx import read_xlsx

MAX_FILE_BYTES = 200 * 1024 * 1024


def parse_file(path: str | PathLike[str], *, filename: str = "", mapping: ColumnMapping | None = None) -> ParsedFile:
    """Parse the file stored at `path` (a server-side path, never a user-supplied string)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return ParsedFile(
            filename=filename,
            size=size,
            problems=[
                problem(
                    "file_too_large",
                    Text(
                        gettext_noop("The file is %(value)s MB; the limit is %(value2)s MB."),
                        value=f"{size / 1000000.0:.0f}",
                        value2=f"{MAX_FILE_BYTES / 1000000.0:.0f}",
                    ),
                )
            ],
        )
    if not size:
        return parse_bytes(b"", filename=filename or path.name, mapping=mapping)
    # Mapped, not read: the pages are the operating system's cached copy of the file, where a read
    # would copy every byte into fresh memory first.
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return parse_bytes(mapped, filename=filename or path.name, mapping=mapping)
        finally:
            with contextlib.suppress(BufferError):  # something still points into it: unmapped when that goes
                mapped.close()


def parse_bytes(data: bytes | mmap.mmap, *, filename: str = "", mapping: ColumnMapping | None = None) -> ParsedFile:
    """Parse file content already in memory (bytes, or a read-only map of the stored file); see the
    contributions.parsing for the promises. Nothing read keeps a reference to `data`."""
    mapping = mapping or {}
    parsed = ParsedFile(filename=filename, size=len(data))
    try:
        kind = sniff_kind(data)
        if kind == "xlsx":
            parsed.kind = "xlsx"
            read_xlsx(data, parsed, mapping)
        else:
            utf8, parsed.encoding = to_utf8(data, mapping.get("encoding"))
            if kind == "json" or utf8[:4096].decode("utf-8", errors="ignore").lstrip()[:1] in ("[", "{"):
                parsed.kind = "json"
                read_json(str(utf8, "utf-8"), parsed)
            else:
                read_delimited(utf8, parsed, mapping)
        if parsed.sheets:
            detect_number_format(parsed, mapping)
    except Unreadable as exc:
        parsed.sheets = []
        parsed.problems.append(exc.problem)
    except MemoryError:
        parsed.sheets = []
        parsed.problems.append(
            problem("file_too_large", Text(gettext_noop("The file needs more memory than a worker has; split it.")))
        )
    except Exception as exc:  # a file we did not foresee must still end as a clear error, not a crash
        parsed.sheets = []
        parsed.problems.append(problem("unreadable", _unreadable(exc)))
    if not parsed.sheets and not any(p["severity"] == "error" for p in parsed.problems):
        parsed.problems.append(problem("no_data_rows", Text(gettext_noop("The file has no data rows."))))
    return parsed


def _unreadable(exc: Exception) -> Text:
    """The message for an error no check foresaw, with the error's own words (at most 300 characters)."""
    start = "The file could not be read: "
    return Text(
        gettext_noop("The file could not be read: %(error)s"),
        error=f"{type(exc).__name__}: {exc}"[: 300 - len(start)],
    )
