"""Delimited text (CSV, TSV): the header found, lines checked, every cell read as a string by Arrow."""

import csv
import mmap
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.utils.translation import gettext_noop

from ..contracts import ColumnMapping
from ..texts import Text
from .parsed import MAX_COLUMNS, MAX_PROBLEMS_PER_CODE, MAX_ROWS, ParsedFile, Unreadable, add_sheet, problem
from .sniffing import DELIMITERS, sniff_delimiter

MAX_LINE_CHARS = 1_000_000


def read_delimited(raw: bytes | mmap.mmap, parsed: ParsedFile, mapping: ColumnMapping) -> None:
    """Read delimited text (UTF-8 bytes): the delimiter and header from the first lines, then every
    cell as a string with Arrow's CSV reader."""
    _check_line_lengths(raw)
    quoted = raw.find(b'"') >= 0
    line = _unterminated_quote(raw) if quoted else None
    if line is not None:
        raise Unreadable(
            "unterminated_quote",
            Text(
                gettext_noop(
                    'A quoted field opened on line %(line)s is never closed (a " is missing), so the rest of '
                    "the file would be read as one value."
                ),
                line=str(line),
            ),
            row=line,
        )
    skipped = len(raw[:65536]) - len(raw[:65536].lstrip(b"\r\n"))
    first_end = raw.find(b"\n", skipped)
    window = raw[skipped : max(first_end, skipped + 65536)] if first_end >= 0 else raw[skipped:]
    lines = window.decode("utf-8", errors="ignore").splitlines()  # the end may cut a character
    if len(window) < len(raw) - skipped and len(lines) > 2:
        lines = lines[:-1]  # the window cut the last line
    lines = lines[:50]
    delimiter = mapping.get("delimiter") or sniff_delimiter(lines[1:] or lines)
    if delimiter not in DELIMITERS:
        raise Unreadable(
            "bad_mapping",
            Text(gettext_noop("Unsupported delimiter %(delimiter)s: use one of , ; TAB |."), delimiter=repr(delimiter)),
        )
    parsed.delimiter = delimiter
    parsed.kind = "tsv" if delimiter == "\t" else "csv"
    leading_lines = raw[:skipped].count(b"\n")
    header_index = 0
    first = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
    if len(lines) > 2 and len([c for c in first if c.strip()]) <= 1:
        second = next(csv.reader([lines[1]], delimiter=delimiter))
        if len(second) > 1:  # a title line above the header
            header_index = 1
            parsed.problems.append(
                problem(
                    "title_row_skipped",
                    Text(
                        gettext_noop("Line %(value)s (%(value2)s) looks like a title and was skipped."),
                        value=str(leading_lines + 1),
                        value2=repr(lines[0][:80]),
                    ),
                    severity="warning",
                    row=leading_lines + 1,
                )
            )
            first = second
    header = [h.strip() for h in first]
    if len(header) > MAX_COLUMNS:
        raise Unreadable(
            "too_many_columns",
            Text(
                gettext_noop(
                    "The file has %(count)s columns; the limit is %(max_columns)s. Is it wide by date over many"
                    " years? Split it."
                ),
                count=f"{len(header):,}",
                max_columns=f"{MAX_COLUMNS:,}",
            ),
        )
    if len(header) < 2:
        raise Unreadable(
            "single_column",
            Text(
                gettext_noop(
                    "Only one column was found: the file is not a table with a delimiter (, ; TAB |) that we recognise."
                )
            ),
        )
    names = [f"c{i}" for i in range(len(header))]
    bad_rows = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(row)
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(raw)[skipped:]),  # no copy
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 + header_index, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            newlines_in_values=quoted,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),  # to_utf8 made sure of it
    )
    for row in bad_rows[:MAX_PROBLEMS_PER_CODE]:
        parsed.problems.append(
            problem(
                "wrong_field_count",
                Text(
                    gettext_noop("Expected %(expected_columns)s fields, found %(actual_columns)s."),
                    expected_columns=str(row.expected_columns),
                    actual_columns=str(row.actual_columns),
                ),
                row=row.number,
                value=row.text[:200],
            )
        )
    if len(bad_rows) > MAX_PROBLEMS_PER_CODE:
        parsed.problems.append(
            problem(
                "wrong_field_count",
                Text(
                    gettext_noop("%(count)s rows have the wrong number of fields; only the first ones are listed."),
                    count=f"{len(bad_rows):,}",
                ),
            )
        )
    if table.num_rows > MAX_ROWS:
        raise Unreadable(
            "too_many_rows",
            Text(
                gettext_noop("The file has %(num_rows)s rows; the limit is %(max_rows)s."),
                num_rows=f"{table.num_rows:,}",
                max_rows=f"{MAX_ROWS:,}",
            ),
        )
    frame = table.to_pandas()
    frame.index = pd.RangeIndex(2, len(frame) + 2) + leading_lines + header_index
    frame.index.name = "row"
    add_sheet(parsed, "", header, frame, header_row=1 + leading_lines + header_index)


def _check_line_lengths(raw: bytes | mmap.mmap) -> None:
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
            raise Unreadable(
                "line_too_long",
                Text(
                    gettext_noop(
                        "Line %(line)s is %(length)s characters long; the limit is %(max_line_chars)s. Is the file "
                        "really one row per line?"
                    ),
                    line=str(line),
                    length=f"{length:,}",
                    max_line_chars=f"{MAX_LINE_CHARS:,}",
                ),
                row=line,
            )


def _unterminated_quote(raw: bytes | mmap.mmap) -> int | None:
    """Line of the quote that is never closed, or None when quotes balance."""
    if _count(raw, b'"') % 2 == 0:
        return None
    return _count(raw, b"\n", 0, raw.rfind(b'"')) + 1


def _count(raw: bytes | mmap.mmap, byte: bytes, start: int = 0, end: int | None = None) -> int:
    """raw.count(byte, start, end), also for a mapped file (which has no count), a block at a time."""
    end = len(raw) if end is None else end
    if isinstance(raw, bytes):
        return raw.count(byte, start, end)
    return sum(raw[i : min(i + (1 << 20), end)].count(byte) for i in range(start, end, 1 << 20))
