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

XLSX files are opened only after checking the archive from its ZIP directory, before anything is
inflated (total uncompressed size, compression ratio of every part and of the whole archive, number
of parts), then no VBA project and no DTD / entity declaration in any XML part; the structure
(content types, workbook, relationships) is read with defusedxml, and openpyxl parses with it too.
Formulas are flagged: their cached value is used with a warning, or an error when there is none.
Caps: MAX_COLUMNS columns, MAX_LINE_CHARS characters per line, MAX_ROWS rows (XLSX: Excel's
1,048,576), and the setting XLSX_MAX_CELLS cells read from a workbook.

Each sheet's frame has the header names as columns and, as index, the 1-based row number in the
file or sheet (the header is row 1 when it is the first line), which reports refer to.

Where each part lives: files.py (parse_file, parse_bytes), sniffing.py (type, encoding, delimiter,
number format), delimited.py (CSV, TSV), json_records.py, xlsx.py (archive.py: the checks before a workbook is
opened, and its structure); parsed.py holds ParsedFile,
Sheet, the problem entries and what the readers share.
"""

from .archive import check_xlsx_archive
from .files import MAX_FILE_BYTES, parse_bytes, parse_file
from .parsed import MAX_COLUMNS, MAX_ROWS, ParsedFile, Sheet, Unreadable, problem
from .sniffing import sniff_kind, to_utf8

__all__ = [
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ParsedFile",
    "Sheet",
    "Unreadable",
    "check_xlsx_archive",
    "parse_bytes",
    "parse_file",
    "problem",
    "sniff_kind",
    "to_utf8",
]
