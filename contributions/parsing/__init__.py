"""Read an uploaded file (CSV, TSV, XLSX, JSON records) into DataFrames of strings, safely.

Contract (used by the upload task, the API and the tests; keep it stable):

    parse_file(path, *, filename="", mapping=None) -> ParsedFile
    parse_bytes(data, *, filename="", mapping=None) -> ParsedFile

`path` is a storage path chosen by the server; the volunteer's file name is only a hint
(`filename`) and is never opened. Nothing here raises on bad input: every problem is a dict in
`ParsedFile.problems` ({severity, code, message, row, column, value, sheet}); when an error makes
the file unreadable, `sheets` is empty.

The type is decided by content (magic bytes), never by extension. The encoding is found by us
(UTF-8 with or without BOM, UTF-16 with BOM or by its zero bytes, else CP1252 / Latin-1): UTF-8 is
checked in place, anything else transcoded to UTF-8, and a stored file is memory-mapped rather
than read into a copy. Every cell stays a string (no "NA" turned into a missing value: NA is
Namibia). Delimiter (, ; TAB |), decimal and thousands separators are detected and can be forced
by the mapping keys `encoding`, `delimiter`, `decimal`, `thousands`; `sheets` (list of names)
limits which XLSX sheets are read.

XLSX files are opened only after checking the archive (declared uncompressed size, compression
ratio, no VBA project, no DTD / entity declaration in any XML part); openpyxl then parses with
defusedxml. Formulas are flagged: their cached value is used with a warning, or an error when
there is none. Caps: MAX_COLUMNS columns, MAX_LINE_CHARS characters per line, MAX_ROWS rows.

Each sheet's frame has the header names as columns and, as index, the 1-based row number in the
file or sheet (the header is row 1 when it is the first line), which reports refer to.
"""
import contextlib
import csv
import io
import json
import mmap
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

MAX_COLUMNS = 5_000
MAX_LINE_CHARS = 1_000_000
MAX_ROWS = 5_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
XLSX_MAX_UNCOMPRESSED = 300 * 1024 * 1024
XLSX_MAX_RATIO = 100  # per member larger than XLSX_RATIO_FROM bytes once uncompressed
XLSX_RATIO_FROM = 1024 * 1024
MAX_PROBLEMS_PER_CODE = 1_000
DELIMITERS = [",", ";", "\t", "|"]

MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or Word file; save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]


def problem(code, message, *, severity="error", row=None, column=None, value=None, sheet=None) -> dict:
    """One entry of a report; JSON-serialisable."""
    if value is not None:
        value = str(value)[:200]
    return {"severity": severity, "code": code, "message": message, "row": row, "column": column,
            "value": value, "sheet": sheet}


class Unreadable(Exception):
    """The file cannot be read at all; carries the problem to report."""

    def __init__(self, code, message, **kwargs):
        super().__init__(message)
        self.problem = problem(code, message, **kwargs)


@dataclass
class Sheet:
    name: str
    header: list[str]
    frame: pd.DataFrame
    header_row: int = 1


@dataclass
class ParsedFile:
    filename: str = ""
    kind: str = ""  # csv, tsv, xlsx, json; "" when unreadable
    size: int = 0
    encoding: str = ""
    delimiter: str = ""
    decimal: str = "."
    thousands: str = ""
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    @property
    def is_readable(self) -> bool:
        return bool(self.sheets) and not any(p["severity"] == "error" for p in self.problems)

    def detection(self) -> dict:
        """What was detected, for the report."""
        return {
            "kind": self.kind, "encoding": self.encoding, "delimiter": self.delimiter, "decimal": self.decimal,
            "thousands": self.thousands, "size": self.size,
            "sheets": [{"name": s.name, "rows": len(s.frame), "columns": s.header} for s in self.sheets],
        }


def parse_file(path, *, filename: str = "", mapping: dict | None = None) -> ParsedFile:
    """Parse the file stored at `path` (a server-side path, never a user-supplied string)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return ParsedFile(filename=filename, size=size, problems=[problem(
            "file_too_large", f"The file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB.")])
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


def parse_bytes(data: bytes | mmap.mmap, *, filename: str = "", mapping: dict | None = None) -> ParsedFile:
    """Parse file content already in memory (bytes, or a read-only map of the stored file); see the
    module docstring for the promises. Nothing read keeps a reference to `data`."""
    mapping = mapping or {}
    parsed = ParsedFile(filename=filename, size=len(data))
    try:
        kind = sniff_kind(data)
        if kind == "xlsx":
            parsed.kind = "xlsx"
            _read_xlsx(data, parsed, mapping)
        else:
            utf8, parsed.encoding = to_utf8(data, mapping.get("encoding"))
            if kind == "json" or utf8[:4096].decode("utf-8", errors="ignore").lstrip()[:1] in ("[", "{"):
                parsed.kind = "json"
                _read_json(str(utf8, "utf-8"), parsed)
            else:
                _read_delimited(utf8, parsed, mapping)
        if parsed.sheets:
            _detect_number_format(parsed, mapping)
    except Unreadable as exc:
        parsed.sheets = []
        parsed.problems.append(exc.problem)
    except MemoryError:
        parsed.sheets = []
        parsed.problems.append(problem("file_too_large", "The file needs more memory than a worker has; split it."))
    except Exception as exc:  # a file we did not foresee must still end as a clear error, not a crash
        parsed.sheets = []
        parsed.problems.append(problem("unreadable", f"The file could not be read: {type(exc).__name__}: {exc}"[:300]))
    if not parsed.sheets and not any(p["severity"] == "error" for p in parsed.problems):
        parsed.problems.append(problem("no_data_rows", "The file has no data rows."))
    return parsed


# --- type and encoding ---------------------------------------------------------------------------

def sniff_kind(data: bytes) -> str:
    """'xlsx', 'json' or 'text' from the first bytes; raises Unreadable for anything else."""
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:65536].strip(blank) and not bytes(data).strip(blank):  # a copy: only when the head is blank
        raise Unreadable("empty_file", "The file is empty.")
    start = data[:16]
    if start.startswith(b"PK\x03\x04") or start.startswith(b"PK\x05\x06"):
        return "xlsx"
    for magic, what in MAGIC:
        if start.startswith(magic):
            raise Unreadable("unsupported_type", f"This is {what}, not a CSV, TSV, XLSX or JSON file.")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head[:512]:
        raise Unreadable("unsupported_type", "This is an HTML page (perhaps a download link saved instead of the "
                         "file), not a CSV, TSV, XLSX or JSON file.")
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        raise Unreadable("unsupported_type", "This is an XML document, not a CSV, TSV, XLSX or JSON file.")
    if head.startswith((b"[", b"{")):
        return "json"
    return "text"


def to_utf8(data: bytes | mmap.mmap, forced: str | None = None) -> tuple[bytes | mmap.mmap, str]:
    """The content as UTF-8 without a BOM, and the encoding it was in; raises Unreadable for binary
    content or undecodable bytes.

    A UTF-8 file (the usual case) is checked in place and handed back as it is: decoding a big file
    into one Python string only to encode it again would cost its size twice over."""
    if forced:
        try:
            text = str(data, forced).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError) as exc:
            raise Unreadable("encoding_error", f"The file is not valid {forced}: {exc}. Choose another encoding.")
        return text.encode("utf-8"), forced.lower()
    start = data[:4]
    if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise Unreadable("unsupported_encoding", "The file is UTF-32; save it as UTF-8.")
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return str(data, "utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise Unreadable("encoding_error", f"The file starts like UTF-16 but is not valid UTF-16: {exc}.")
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        even, odd = sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")
        if odd > len(sample) // 3 or even > len(sample) // 3:
            codec = "utf-16-le" if odd > even else "utf-16-be"
            try:
                return str(data, codec).encode("utf-8"), codec
            except UnicodeDecodeError:
                pass
        raise Unreadable("binary_file", "The file is binary data, not text (CSV, TSV or JSON) or an XLSX workbook.")
    failure = None if _is_utf8(data) else _utf8_failure(data)
    if failure is None:
        if start.startswith(UTF8_BOM):
            return _refuse_controls(data[len(UTF8_BOM):]), "utf-8-sig"
        return _refuse_controls(data), "utf-8"
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data[: failure.start]):
        line = data[: failure.start].count(b"\n") + 1
        raise Unreadable(
            "mixed_encoding",
            f"The file is UTF-8 up to line {line}, where it has bytes that are not UTF-8 (two encodings mixed). "
            "Save the whole file as UTF-8.", row=line)
    try:
        text, encoding = str(data, "cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = str(data, "latin-1"), "latin-1"
    return _refuse_controls(text.encode("utf-8")), encoding


UTF8_BOM = b"\xef\xbb\xbf"


def _is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8, checked by Arrow in place (no decoded copy)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_failure(data: bytes) -> UnicodeDecodeError | None:
    """Python's verdict on UTF-8, where it fails: asked only when Arrow, which is stricter, said no."""
    try:
        str(data, "utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def _refuse_controls(utf8: bytes) -> bytes:
    """Refuse text whose start has several control characters: binary data that happens to decode."""
    head = utf8[:65536].decode("utf-8", errors="ignore")
    if len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", head)) > 3:
        raise Unreadable("binary_file", "The file contains binary data, not text (CSV, TSV or JSON).")
    return utf8


# --- CSV / TSV -----------------------------------------------------------------------------------

def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the same, largest field count on most sample lines."""
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines if line.strip()]
        if not counts or max(counts) < 2:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * 1000 + common
        if common > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _check_line_lengths(raw: bytes):
    """Refuse a line of more than MAX_LINE_CHARS bytes, naming it.

    Such a line covers at least one whole aligned block of MAX_LINE_CHARS // 2 bytes, so only blocks
    without a newline need a closer look: a few dozen memchr calls instead of a pass over every byte.
    """
    half = MAX_LINE_CHARS // 2
    for start in range(0, len(raw), half):
        if raw.find(b"\n", start, start + half) >= 0:
            continue
        line_start = raw.rfind(b"\n", 0, start) + 1
        line_end = raw.find(b"\n", start)
        length = (len(raw) if line_end < 0 else line_end) - line_start
        if length > MAX_LINE_CHARS:
            line = _count(raw, b"\n", 0, line_start) + 1
            raise Unreadable("line_too_long", f"Line {line} is {length:,} characters long; "
                             f"the limit is {MAX_LINE_CHARS:,}. Is the file really one row per line?", row=line)


def _unterminated_quote(raw: bytes) -> int | None:
    """Line of the quote that is never closed, or None when quotes balance."""
    if _count(raw, b'"') % 2 == 0:
        return None
    return _count(raw, b"\n", 0, raw.rfind(b'"')) + 1


def _count(raw: bytes | mmap.mmap, byte: bytes, start: int = 0, end: int | None = None) -> int:
    """raw.count(byte, start, end), also for a mapped file (which has no count), a block at a time."""
    end = len(raw) if end is None else end
    if isinstance(raw, bytes):
        return raw.count(byte, start, end)
    return sum(raw[i:min(i + (1 << 20), end)].count(byte) for i in range(start, end, 1 << 20))


def _read_delimited(raw: bytes, parsed: ParsedFile, mapping: dict):
    """Read delimited text (UTF-8 bytes): the delimiter and header from the first lines, then every
    cell as a string with Arrow's CSV reader."""
    _check_line_lengths(raw)
    quoted = raw.find(b'"') >= 0
    line = _unterminated_quote(raw) if quoted else None
    if line is not None:
        raise Unreadable("unterminated_quote", f'A quoted field opened on line {line} is never closed (a " is '
                         "missing), so the rest of the file would be read as one value.", row=line)
    skipped = len(raw[:65536]) - len(raw[:65536].lstrip(b"\r\n"))
    first_end = raw.find(b"\n", skipped)
    window = raw[skipped:max(first_end, skipped + 65536)] if first_end >= 0 else raw[skipped:]
    lines = window.decode("utf-8", errors="ignore").splitlines()  # the end may cut a character
    if len(window) < len(raw) - skipped and len(lines) > 2:
        lines = lines[:-1]  # the window cut the last line
    lines = lines[:50]
    delimiter = mapping.get("delimiter") or _sniff_delimiter(lines[1:] or lines)
    if delimiter not in DELIMITERS:
        raise Unreadable("bad_mapping", f"Unsupported delimiter {delimiter!r}: use one of , ; TAB |.")
    parsed.delimiter = delimiter
    parsed.kind = "tsv" if delimiter == "\t" else "csv"
    leading_lines = raw[:skipped].count(b"\n")
    header_index = 0
    first = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
    if len(lines) > 2 and len([c for c in first if c.strip()]) <= 1:
        second = next(csv.reader([lines[1]], delimiter=delimiter))
        if len(second) > 1:  # a title line above the header
            header_index = 1
            parsed.problems.append(problem("title_row_skipped", f"Line {leading_lines + 1} ({lines[0][:80]!r}) looks "
                                           "like a title and was skipped.", severity="warning", row=leading_lines + 1))
            first = second
    header = [h.strip() for h in first]
    if len(header) > MAX_COLUMNS:
        raise Unreadable("too_many_columns", f"The file has {len(header):,} columns; the limit is {MAX_COLUMNS:,}. "
                         "Is it wide by date over many years? Split it.")
    if len(header) < 2:
        raise Unreadable("single_column", "Only one column was found: the file is not a table with a delimiter "
                         "(, ; TAB |) that we recognise.")
    names = [f"c{i}" for i in range(len(header))]
    bad_rows = []

    def on_invalid(row):
        bad_rows.append(row)
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(raw)[skipped:]),  # no copy
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 + header_index,
                                       block_size=8 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                         newlines_in_values=quoted, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                             strings_can_be_null=False, quoted_strings_can_be_null=False,
                                             check_utf8=False),  # to_utf8 made sure of it
    )
    for row in bad_rows[:MAX_PROBLEMS_PER_CODE]:
        parsed.problems.append(problem(
            "wrong_field_count", f"Expected {row.expected_columns} fields, found {row.actual_columns}.",
            row=row.number, value=row.text[:200]))
    if len(bad_rows) > MAX_PROBLEMS_PER_CODE:
        parsed.problems.append(problem("wrong_field_count", f"{len(bad_rows):,} rows have the wrong number of "
                                       "fields; only the first ones are listed."))
    if table.num_rows > MAX_ROWS:
        raise Unreadable("too_many_rows", f"The file has {table.num_rows:,} rows; the limit is {MAX_ROWS:,}.")
    frame = table.to_pandas()
    frame.index = pd.RangeIndex(2, len(frame) + 2) + leading_lines + header_index
    frame.index.name = "row"
    _add_sheet(parsed, "", header, frame, header_row=1 + leading_lines + header_index)


def _add_sheet(parsed: ParsedFile, name: str, header: list[str], frame: pd.DataFrame, header_row: int):
    """Name the columns, drop empty unnamed ones, refuse duplicate names, keep the sheet if it has rows."""
    frame.columns = range(len(header))
    keep = [i for i, h in enumerate(header) if h or (frame[i] != "").any()]
    header = [header[i] or f"column {i + 1}" for i in keep]
    frame = frame[keep]
    frame.columns = header
    seen, duplicates = set(), []
    for h in header:
        if h in seen and h not in duplicates:
            duplicates.append(h)
        seen.add(h)
    if duplicates:
        raise Unreadable("duplicate_columns", "These column names appear more than once: "
                         + ", ".join(repr(d) for d in duplicates[:10]) + ". Rename them so each column is distinct.",
                         sheet=name or None, column=duplicates[0])
    if len(frame) == 0 or not ((frame.head(100) != "").to_numpy().any() or (frame != "").to_numpy().any()):
        parsed.problems.append(problem("no_data_rows", "There is a header but no data rows."
                                       if len(frame) == 0 else "All data rows are empty.", sheet=name or None,
                                       severity="error"))
        return
    parsed.sheets.append(Sheet(name=name, header=header, frame=frame, header_row=header_row))


# --- JSON ----------------------------------------------------------------------------------------

def _read_json(text: str, parsed: ParsedFile):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable("invalid_json", f"The JSON is not valid: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                         row=exc.lineno)
    except RecursionError:
        raise Unreadable("json_wrong_shape", "The JSON is nested too deeply to be a table of records.")
    shape_help = ('Expected a list of records like [{"date": "2020-03-01", "location": "IT", "confirmed": 1694}], '
                  'optionally under one key ({"data": [...]}), or {"columns": [...], "data": [[...], ...]}.')
    records = None
    if isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
        columns = [str(c) for c in data["columns"]]
        if not all(isinstance(r, list) for r in data["data"]):
            raise Unreadable("json_wrong_shape", "The JSON's 'data' must be a list of rows (lists). " + shape_help)
        records = [dict(zip(columns, r, strict=False)) for r in data["data"]]
    elif isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            data = lists[0]
    if records is None:
        if not isinstance(data, list):
            raise Unreadable("json_wrong_shape", f"The JSON is a {type(data).__name__}, not a list of records. "
                             + shape_help)
        if not data:
            raise Unreadable("no_data_rows", "The JSON list is empty.")
        if not all(isinstance(r, dict) for r in data):
            raise Unreadable("json_wrong_shape", "The JSON list holds something other than records (objects). "
                             + shape_help)
        records = data
    columns = list(dict.fromkeys(k for r in records for k in r))
    if len(columns) > MAX_COLUMNS:
        raise Unreadable("too_many_columns", f"The records have {len(columns):,} keys; the limit is {MAX_COLUMNS:,}.")
    if len(records) > MAX_ROWS:
        raise Unreadable("too_many_rows", f"The file has {len(records):,} records; the limit is {MAX_ROWS:,}.")
    out = {}
    for column in columns:
        values = [r.get(column) for r in records]
        nested = next((i for i, v in enumerate(values) if isinstance(v, dict | list)), None)
        if nested is not None:
            raise Unreadable("json_wrong_shape", f"Record {nested + 1} has a nested value under {column!r}; records "
                             "must be flat (one value per key). " + shape_help, row=nested + 1, column=column)
        out[column] = [_cell_text(v) for v in values]
    frame = pd.DataFrame(out, dtype="str")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    _add_sheet(parsed, "", [str(c).strip() for c in columns], frame, header_row=0)


def _cell_text(value) -> str:
    """A cell as text: integers without '.0', dates as ISO, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


# --- XLSX ----------------------------------------------------------------------------------------

def check_xlsx_archive(data: bytes) -> zipfile.ZipFile:
    """The archive, once it is known to be a workbook that is safe to open (no bomb, no macros, no DTD)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable("corrupt_xlsx", f"The file starts like an XLSX (ZIP) archive but is damaged: {exc}.")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
            b"macroEnabled" in archive.read(n)[:100_000] for n in names if n == "[Content_Types].xml"):
        raise Unreadable("macros_refused", "The workbook contains macros (VBA). Save it as a plain .xlsx "
                         "workbook without macros, or as CSV.")
    if "xl/workbook.xml" not in names:
        raise Unreadable("unsupported_type", "This is a ZIP archive, not an Excel workbook (.xlsx).")
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise Unreadable("zip_bomb", f"The workbook would expand to {total / 1e6:,.0f} MB; the limit is "
                         f"{XLSX_MAX_UNCOMPRESSED / 1e6:,.0f} MB. Export it as CSV instead.")
    for info in infos:
        if info.file_size > XLSX_RATIO_FROM and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise Unreadable("zip_bomb", f"{info.filename} is compressed {ratio:,.0f}"
                             " times, more than a real workbook ever is; the file was refused as a possible zip bomb.")
    for info in infos:
        # The whole part is scanned: a DTD may follow a long comment at the top.
        if info.filename.endswith((".xml", ".rels", ".vml")) and _member_contains(
                archive, info.filename, (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")):
                raise Unreadable("xml_entities_refused", f"{info.filename} declares a DTD or XML entities, which real "
                                 "workbooks never do (an XML bomb or external entity attack); the file was refused.")
    return archive


def _read_xlsx(data: bytes, parsed: ParsedFile, mapping: dict):
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
        raise Unreadable("unreadable", "XLSX support needs defusedxml installed on the server.")
    archive = check_xlsx_archive(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise Unreadable("corrupt_xlsx", f"The workbook could not be opened: {type(exc).__name__}: {exc}"[:300])
    wanted = mapping.get("sheets")
    sheet_paths = _sheet_paths(archive)
    formulas_wb = None
    for index, ws in enumerate(values.worksheets):
        if wanted and ws.title not in wanted:
            continue
        xml_path = sheet_paths.get(ws.title)
        has_formulas = bool(xml_path) and _member_contains(archive, xml_path, (b"<f>", b"<f "))
        rows = _sheet_rows(ws, ws.title)
        if has_formulas:
            if formulas_wb is None:
                formulas_wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                                     keep_links=False)
            _flag_formulas(rows, _sheet_rows(formulas_wb.worksheets[index], ws.title), ws.title, parsed)
        _sheet_to_frame(rows, ws.title, parsed)
    if wanted and not parsed.sheets and not parsed.problems:
        raise Unreadable("bad_mapping", f"None of the sheets {wanted} is in the workbook.")


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> XML part, read from the workbook and its relationships (small files)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace") if \
        "xl/_rels/workbook.xml.rels" in archive.namelist() else ""
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    paths = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            from html import unescape

            paths[unescape(name.group(1))] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _member_contains(archive: zipfile.ZipFile, name: str, needles) -> bool:
    if name not in archive.namelist():
        return True  # unknown layout: check cell by cell
    with archive.open(name) as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            block = tail + chunk
            if any(n in block for n in needles):
                return True
            tail = block[-16:]
    return False


def _sheet_rows(ws, title) -> list[tuple]:
    rows = []
    for row in ws.iter_rows(values_only=True):
        if len(row) > MAX_COLUMNS:
            raise Unreadable("too_many_columns", f"Sheet {title!r} has {len(row):,} columns; the limit is "
                             f"{MAX_COLUMNS:,}.", sheet=title)
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise Unreadable("too_many_rows", f"Sheet {title!r} has more than {MAX_ROWS:,} rows.", sheet=title)
    return rows


def _flag_formulas(values: list[tuple], formulas: list[tuple], title: str, parsed: ParsedFile):
    """Warn about formulas whose cached result we use; an error when the workbook holds no result."""
    from openpyxl.utils import get_column_letter

    flagged = 0
    with_value = {}  # column letter -> (count, first row, first formula)
    for r, (vrow, frow) in enumerate(zip(values, formulas, strict=False), start=1):
        for c, formula in enumerate(frow, start=1):
            if isinstance(formula, str) and formula.startswith("="):
                cached = vrow[c - 1] if c - 1 < len(vrow) else None
                letter = get_column_letter(c)
                if cached is not None:
                    count, first_row, first = with_value.get(letter, (0, r, formula))
                    with_value[letter] = (count + 1, first_row, first)
                    continue
                flagged += 1
                if flagged <= MAX_PROBLEMS_PER_CODE:
                    parsed.problems.append(problem(
                        "formula_without_value", f"Cell {letter}{r} holds the formula {formula[:80]} and no computed "
                        "value (the file was not saved by a spreadsheet program). Paste values instead of formulas.",
                        row=r, column=letter, value=formula, sheet=title))
    for letter, (count, first_row, first) in with_value.items():
        parsed.problems.append(problem(
            "formula_in_cell",
            f"Column {letter} has {count} formula cell(s) (first {letter}{first_row}: {first[:80]}); "
            "their saved results are used.", severity="warning", row=first_row, column=letter, value=first,
            sheet=title))


def _sheet_to_frame(rows: list[tuple], title: str, parsed: ParsedFile):
    texts = [[_cell_text(v).strip() for v in row] for row in rows]
    nonempty = [i for i, row in enumerate(texts) if any(row)]
    if not nonempty:
        parsed.problems.append(problem("empty_sheet", f"Sheet {title!r} is empty.", severity="warning", sheet=title))
        return
    head = nonempty[0]
    width = max(len(row) for row in texts)
    header = texts[head] + [""] * (width - len(texts[head]))
    body = [row + [""] * (width - len(row)) for row in texts[head + 1:]]
    numbers = np.arange(head + 2, head + 2 + len(body))
    keep = [i for i, row in enumerate(body) if any(row)]
    frame = pd.DataFrame([body[i] for i in keep], columns=range(width), dtype="str") if keep else \
        pd.DataFrame(columns=range(width), dtype="str")
    frame.index = pd.Index(numbers[keep], name="row")
    try:
        _add_sheet(parsed, title, header, frame, header_row=head + 1)
    except Unreadable as exc:
        parsed.problems.append(exc.problem)


# --- numbers -------------------------------------------------------------------------------------

NUMBERISH = re.compile(r"^[+-]?\d[\d.,'\u00a0 ]*$")


def _detect_number_format(parsed: ParsedFile, mapping: dict):
    """Decimal and thousands separators from a sample of number-like cells (mapping keys win)."""
    cells = []
    for sheet in parsed.sheets:
        head = sheet.frame.head(2000)
        found = []  # (row, column, text), in Arrow: a Python string only per matching cell
        for position, column in enumerate(head.columns):
            texts = pa.array(head[column].astype("str").array)
            rows = pc.indices_nonzero(pc.match_substring_regex(texts, r"\d[.,]\d"))
            found.extend(zip(rows.to_pylist(), [position] * len(rows), texts.take(rows).to_pylist(), strict=True))
        cells.extend(text for _, _, text in sorted(found)[:5000])  # row by row, as they appear
    cells = [c.strip() for c in cells if NUMBERISH.match(c.strip())]
    decimal, thousands = ".", ""
    if any(re.search(r"\.\d{3},\d", c) for c in cells) or any(re.fullmatch(r"[+-]?\d+,\d{1,2}", c) for c in cells) \
            or any(re.fullmatch(r"[+-]?\d+,\d{4,}", c) for c in cells):
        decimal, thousands = ",", "."
    elif any(re.search(r",\d{3}(\.|,|$)", c) for c in cells):
        thousands = ","
    elif parsed.delimiter == ";" and cells and all(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", c) for c in cells):
        decimal, thousands = ",", "."  # the European convention that goes with semicolons
    parsed.decimal = mapping.get("decimal") or decimal
    parsed.thousands = mapping.get("thousands", thousands)
    if parsed.decimal == parsed.thousands:
        raise Unreadable("bad_mapping", "The decimal and thousands separators must differ.")
