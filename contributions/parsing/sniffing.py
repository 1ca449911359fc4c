"""What a file is before it is read: its type (by content, never by name), its encoding (UTF-8
checked in place, anything else transcoded), its delimiter, and its number format."""

import csv
import mmap
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext_noop

from ..contracts import ColumnMapping
from ..texts import Text
from .parsed import ParsedFile, Unreadable

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
UTF8_BOM = b"\xef\xbb\xbf"
NUMBERISH = re.compile(r"^[+-]?\d[\d.,'\u00a0 ]*$")


def sniff_kind(data: bytes | mmap.mmap) -> str:
    """'xlsx', 'json' or 'text' from the first bytes; raises Unreadable for anything else."""
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:65536].strip(blank) and not bytes(data).strip(blank):  # a copy: only when the head is blank
        raise Unreadable("empty_file", Text(gettext_noop("The file is empty.")))
    start = data[:16]
    if start.startswith(b"PK\x03\x04") or start.startswith(b"PK\x05\x06"):
        return "xlsx"
    for magic, what in MAGIC:
        if start.startswith(magic):
            raise Unreadable(
                "unsupported_type",
                Text(gettext_noop("This is %(what)s, not a CSV, TSV, XLSX or JSON file."), what=str(what)),
            )
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head[:512]:
        raise Unreadable(
            "unsupported_type",
            Text(
                gettext_noop(
                    "This is an HTML page (perhaps a download link saved instead of the file), not a CSV, TSV, "
                    "XLSX or JSON file."
                )
            ),
        )
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        raise Unreadable(
            "unsupported_type", Text(gettext_noop("This is an XML document, not a CSV, TSV, XLSX or JSON file."))
        )
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
            raise Unreadable(
                "encoding_error",
                Text(
                    gettext_noop("The file is not valid %(forced)s: %(exc)s. Choose another encoding."),
                    forced=str(forced),
                    exc=str(exc),
                ),
            )
        return text.encode("utf-8"), forced.lower()
    start = data[:4]
    if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise Unreadable("unsupported_encoding", Text(gettext_noop("The file is UTF-32; save it as UTF-8.")))
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return str(data, "utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise Unreadable(
                "encoding_error",
                Text(gettext_noop("The file starts like UTF-16 but is not valid UTF-16: %(exc)s."), exc=str(exc)),
            )
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        even, odd = sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")
        if odd > len(sample) // 3 or even > len(sample) // 3:
            codec = "utf-16-le" if odd > even else "utf-16-be"
            try:
                return str(data, codec).encode("utf-8"), codec
            except UnicodeDecodeError:
                pass
        raise Unreadable(
            "binary_file",
            Text(gettext_noop("The file is binary data, not text (CSV, TSV or JSON) or an XLSX workbook.")),
        )
    failure = None if _is_utf8(data) else _utf8_failure(data)
    if failure is None:
        if start.startswith(UTF8_BOM):
            return _refuse_controls(data[len(UTF8_BOM) :]), "utf-8-sig"
        return _refuse_controls(data), "utf-8"
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data[: failure.start]):
        line = data[: failure.start].count(b"\n") + 1
        raise Unreadable(
            "mixed_encoding",
            Text(
                gettext_noop(
                    "The file is UTF-8 up to line %(line)s, where it has bytes that are not UTF-8 (two "
                    "encodings mixed). Save the whole file as UTF-8."
                ),
                line=str(line),
            ),
            row=line,
        )
    try:
        text, encoding = str(data, "cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = str(data, "latin-1"), "latin-1"
    return _refuse_controls(text.encode("utf-8")), encoding


def _is_utf8(data: bytes | mmap.mmap) -> bool:
    """Whether `data` is valid UTF-8, checked by Arrow in place (no decoded copy)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_failure(data: bytes | mmap.mmap) -> UnicodeDecodeError | None:
    """Python's verdict on UTF-8, where it fails: asked only when Arrow, which is stricter, said no."""
    try:
        str(data, "utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def _refuse_controls(utf8: bytes | mmap.mmap) -> bytes | mmap.mmap:
    """Refuse text whose start has several control characters: binary data that happens to decode."""
    head = utf8[:65536].decode("utf-8", errors="ignore")
    if len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", head)) > 3:
        raise Unreadable(
            "binary_file", Text(gettext_noop("The file contains binary data, not text (CSV, TSV or JSON)."))
        )
    return utf8


def sniff_delimiter(lines: list[str]) -> str:
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


def detect_number_format(parsed: ParsedFile, mapping: ColumnMapping) -> None:
    """Decimal and thousands separators from a sample of number-like cells (mapping keys win)."""
    cells: list[str] = []
    for sheet in parsed.sheets:
        head = sheet.frame.head(2000)
        found: list[tuple[int, int, str]] = []  # (row, column, text), in Arrow: a Python string only per matching cell
        for position, column in enumerate(head.columns):
            texts = pa.array(head[column].astype("str").array)
            rows = pc.indices_nonzero(pc.match_substring_regex(texts, r"\d[.,]\d"))
            found.extend(zip(rows.to_pylist(), [position] * len(rows), texts.take(rows).to_pylist(), strict=True))
        cells.extend(text for _, _, text in sorted(found)[:5000])  # row by row, as they appear
    cells = [c.strip() for c in cells if NUMBERISH.match(c.strip())]
    decimal, thousands = ".", ""
    if (
        any(re.search(r"\.\d{3},\d", c) for c in cells)
        or any(re.fullmatch(r"[+-]?\d+,\d{1,2}", c) for c in cells)
        or any(re.fullmatch(r"[+-]?\d+,\d{4,}", c) for c in cells)
    ):
        decimal, thousands = ",", "."
    elif any(re.search(r",\d{3}(\.|,|$)", c) for c in cells):
        thousands = ","
    elif parsed.delimiter == ";" and cells and all(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", c) for c in cells):
        decimal, thousands = ",", "."  # the European convention that goes with semicolons
    parsed.decimal = mapping.get("decimal") or decimal
    parsed.thousands = mapping.get("thousands", thousands)
    if parsed.decimal == parsed.thousands:
        raise Unreadable("bad_mapping", Text(gettext_noop("The decimal and thousands separators must differ.")))
