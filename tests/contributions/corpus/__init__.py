"""Broken and hostile upload files, each with the problem code and message it must produce.

The files are built by code (a 50 MB zip bomb or a 10 MB line do not belong in git); `build(case,
directory)` writes one to disk so the tests go through `parse_file` exactly as an upload would.
"""

import functools
import io
import json
import random
import zipfile
from dataclasses import dataclass, field

GOOD_HEADER = "date,location,metric,value\n"


@dataclass(frozen=True)
class Case:
    name: str
    make: object  # () -> bytes
    code: str
    message: str  # a fragment the problem's message must contain
    mapping: dict = field(default_factory=dict)
    default_country: str | None = None


def long_csv(*rows: str) -> bytes:
    return (GOOD_HEADER + "".join(r + "\n" for r in rows)).encode()


def xlsx_parts(parts: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def minimal_workbook_parts() -> dict[str, str]:
    """The parts of a small but real XLSX skeleton."""
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c></row></sheetData>'
            "</worksheet>"
        ),
    }


def minimal_workbook(extra: dict | None = None, shared_strings: str | None = None) -> bytes:
    """A small but real XLSX; `extra` parts are added or replace the defaults."""
    parts: dict[str, bytes | str] = dict(minimal_workbook_parts())
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    return xlsx_parts(parts)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
    '&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 '
    '"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;'
    '&lol3;&lol3;&lol3;&lol3;&lol3;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
XXE_WORKBOOK = (
    '<?xml version="1.0"?><!DOCTYPE wb [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><workbook xmlns="http://schemas'
    '.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def zip_bomb() -> bytes:
    """An XLSX whose one worksheet expands from about 50 KB to 50 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def rels_with_long_comment(*, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A 4 KB workbook whose relationship part holds a long comment of half relationships (no '>'):
    harmless to an XML parser, hours of backtracking for a regex looking for Id=... Target=...
    Stored uncompressed (ZIP_STORED), it passes the size checks and reaches the structure parser."""
    comment = "<!-- " + '<Relationship Id="rId9" ' * 40_000 + " -->"
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">{comment}'
        f'<Relationship Id="rId1" Type="{WORKSHEET_REL}" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    return xlsx_parts({**minimal_workbook_parts(), "xl/_rels/workbook.xml.rels": rels}, compression=compression)


@functools.cache
def many_small_inflating_parts(sheets: int, cells_per_row: int = 64, rows: int = 200) -> bytes:
    """A workbook of `sheets` worksheets, each under 1 MiB of XML yet compressed about 200 times:
    cells of repeated characters, several hundred MB of XML in all for a ~1.5 MB file."""
    cells = "".join(f'<c t="inlineStr"><is><t>{"9" * 40}</t></is></c>' for _ in range(cells_per_row))
    names = ["date", "location", "confirmed", "deaths", *(f"c{j}" for j in range(5, cells_per_row + 1))]
    header = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in names)
    body = f"<row>{header}</row>" + "".join(f"<row>{cells}</row>" for _ in range(rows - 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()
    titles = [f"Sheet{i + 1}" for i in range(sheets)]
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(titles))
        + "</sheets></workbook>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{WORKSHEET_REL}" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(sheets)
        )
        + "</Relationships>"
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(sheets)
    )
    content_types = minimal_workbook_parts()["[Content_Types].xml"].replace("</Types>", overrides + "</Types>")
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
    }
    parts.update({f"xl/worksheets/sheet{i + 1}.xml": sheet for i in range(sheets)})
    return minimal_workbook(parts)


def workbook_with_formula() -> bytes:
    """An XLSX written by a program (openpyxl), so its formula cells hold no saved result."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["date", "location", "confirmed"])
    sheet.append(["2020-03-01", "IT", 1694])
    sheet.append(["2020-03-02", "IT", "=C2*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_header_only() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["date", "location", "confirmed"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CASES = [
    Case("empty.csv", lambda: b"", "empty_file", "empty"),
    Case("blank_lines.csv", lambda: b"\r\n\r\n   \n", "empty_file", "empty"),
    Case("header_only.csv", lambda: GOOD_HEADER.encode(), "no_data_rows", "no data rows"),
    Case("empty_rows.csv", lambda: (GOOD_HEADER + ",,,\n,,,\n").encode(), "no_data_rows", "empty"),
    Case("binary_garbage.csv", lambda: bytes(range(256)) * 64, "binary_file", "binary"),
    Case("image.csv", lambda: b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(200), "unsupported_type", "PNG image"),
    Case(
        "page.csv",
        lambda: b"<!DOCTYPE html>\n<html><head><title>Data</title></head><body>x</body></html>",
        "unsupported_type",
        "HTML page",
    ),
    Case("report.csv", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "unsupported_type", "PDF document"),
    Case("data.csv.gz", lambda: b"\x1f\x8b\x08\x00" + bytes(100), "unsupported_type", "gzip"),
    Case("old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "unsupported_type", ".xls"),
    Case("feed.csv", lambda: b'<?xml version="1.0"?><rss><channel></channel></rss>', "unsupported_type", "XML"),
    Case("program.csv", lambda: b"\x7fELF\x02\x01\x01" + bytes(100), "unsupported_type", "program"),
    Case("zip_bomb.xlsx", zip_bomb, "zip_bomb", "zip bomb"),
    Case(
        "billion_laughs.xlsx",
        lambda: minimal_workbook(shared_strings=BILLION_LAUGHS),
        "xml_entities_refused",
        "XML bomb",
    ),
    Case(
        "dtd_after_long_comment.xlsx",
        lambda: minimal_workbook(
            # random text: a comment of one repeated character is refused as compressed too far
            shared_strings=BILLION_LAUGHS.replace(
                "<!DOCTYPE", "<!--" + random.Random(0).randbytes(100_000).hex() + "--><!DOCTYPE", 1
            )
        ),
        "xml_entities_refused",
        "XML bomb",
    ),
    Case(
        "rels_long_comment.xlsx",
        rels_with_long_comment,
        "zip_bomb",
        "xl/_rels/workbook.xml.rels is compressed",
    ),
    Case(
        "rels_long_comment_stored.xlsx",
        lambda: rels_with_long_comment(compression=zipfile.ZIP_STORED),
        "no_data_rows",  # read to the end: the comment is only a comment
        "no data rows",
    ),
    Case(
        "inflating_parts_1.5mb.xlsx",
        lambda: many_small_inflating_parts(293),
        "zip_bomb",
        "xl/worksheets/sheet1.xml is compressed",
    ),
    Case(
        "inflating_parts_110kb.xlsx",
        lambda: many_small_inflating_parts(28),
        "zip_bomb",
        "xl/worksheets/sheet1.xml is compressed",
    ),
    Case(
        "external_entity.xlsx",
        lambda: minimal_workbook({"xl/workbook.xml": XXE_WORKBOOK}),
        "xml_entities_refused",
        "external entity",
    ),
    Case(
        "macros.xlsm",
        lambda: minimal_workbook({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(64)}),
        "macros_refused",
        "macros",
    ),
    Case(
        "macro_content_type.xlsx",
        lambda: minimal_workbook(
            {
                "[Content_Types].xml": (
                    '<Types><Override PartName="/xl/workbook.xml" '
                    'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
                )
            }
        ),
        "macros_refused",
        "macros",
    ),
    Case(
        "letter.xlsx",
        lambda: xlsx_parts({"word/document.xml": "<document/>", "[Content_Types].xml": "<Types/>"}),
        "unsupported_type",
        "ZIP archive, not an Excel workbook",
    ),
    Case("truncated.xlsx", lambda: b"PK\x03\x04" + b"\x14\x00" + bytes(40), "corrupt_xlsx", "damaged"),
    Case("formula.xlsx", workbook_with_formula, "formula_without_value", "=C2*2"),
    Case("header_only.xlsx", workbook_header_only, "no_data_rows", "no data rows"),
    Case(
        "object.json",
        lambda: json.dumps({"country": "IT", "cases": 1}).encode(),
        "json_wrong_shape",
        "not a list of records",
    ),
    Case("numbers.json", lambda: b"[1, 2, 3]", "json_wrong_shape", "something other than records"),
    Case(
        "nested.json",
        lambda: json.dumps(
            [{"date": "2020-03-01", "location": "IT", "metric": "confirmed", "value": {"n": 1}}]
        ).encode(),
        "json_wrong_shape",
        "nested value",
    ),
    Case("broken.json", lambda: b'[{"date": "2020-03-01", "location": ', "invalid_json", "not valid"),
    Case("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000, "json_wrong_shape", "nested too deeply"),
    Case("empty_list.json", lambda: b"[]", "no_data_rows", "empty"),
    Case(
        "utf32.csv",
        lambda: long_csv("2020-03-01,IT,confirmed,1694").decode().encode("utf-32"),
        "unsupported_encoding",
        "UTF-32",
    ),
    Case(
        "mixed_encoding.csv",
        lambda: (
            long_csv("2020-03-01,São Paulo,confirmed,1").replace(b"\n", b"\n", 1)
            + "2020-03-01,Bogotá,confirmed,2\n".encode("latin-1")
        ),
        "mixed_encoding",
        "two encodings mixed",
    ),
    Case(
        "declared_utf8.csv",
        lambda: long_csv("2020-03-01,Bogotá,confirmed,2").decode().encode("cp1252"),
        "encoding_error",
        "not valid utf-8",
        mapping={"encoding": "utf-8"},
    ),
    Case(
        "unterminated_quote.csv",
        lambda: long_csv('2020-03-01,"Italy,confirmed,1694', "2020-03-02,IT,confirmed,1"),
        "unterminated_quote",
        "never closed",
    ),
    Case(
        "duplicate_columns.csv",
        lambda: b"date,location,confirmed,confirmed\n2020-03-01,IT,1,2\n",
        "duplicate_columns",
        "'confirmed'",
    ),
    Case(
        "columns_20000.csv",
        lambda: (
            ",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" for _ in range(20_000)) + "\n"
        ).encode(),
        "too_many_columns",
        "20,000 columns",
    ),
    Case(
        "one_huge_line.csv",
        lambda: GOOD_HEADER.encode() + b"2020-03-01,IT,confirmed," + b"9" * (10 * 1024 * 1024),
        "line_too_long",
        "Line 2",
    ),
    Case(
        "ragged.csv",
        lambda: long_csv("2020-03-01,IT,confirmed,1694", "2020-03-02,IT,confirmed,1835,extra"),
        "wrong_field_count",
        "Expected 4 fields, found 5",
    ),
    Case("one_column.csv", lambda: b"hello\nworld\n", "single_column", "Only one column"),
    Case("formula.csv", lambda: long_csv("2020-03-01,IT,confirmed,=1+2"), "formula_in_cell", "is a formula"),
    Case(
        "hyperlink.csv",
        lambda: long_csv('2020-03-01,IT,confirmed,"=HYPERLINK(""http://x"")"'),
        "formula_in_cell",
        "is a formula",
    ),
    Case("nan.csv", lambda: long_csv("2020-03-01,IT,confirmed,NaN"), "value_not_finite", "NaN or infinity"),
    Case("inf.csv", lambda: long_csv("2020-03-01,IT,confirmed,-inf"), "value_not_finite", "NaN or infinity"),
    Case("exponent.csv", lambda: long_csv("2020-03-01,IT,confirmed,1.5E+05"), "value_exponent", "exponent"),
    Case(
        "words.csv",
        lambda: long_csv("2020-03-01,IT,confirmed,about a thousand"),
        "value_not_numeric",
        "is not a number",
    ),
    Case("unparseable_date.csv", lambda: long_csv("yesterday,IT,confirmed,1694"), "date_unparseable", "'yesterday'"),
    Case(
        "impossible_date.csv",
        lambda: long_csv("2020-02-30,IT,confirmed,1694", "2020-02-28,IT,confirmed,888"),
        "date_unparseable",
        "'2020-02-30'",
    ),
    Case("future_date.csv", lambda: long_csv("2999-01-01,IT,confirmed,1694"), "date_in_future", "in the future"),
    Case("date_1900.csv", lambda: long_csv("1900-01-01,IT,confirmed,1694"), "date_too_early", "before December 2019"),
    Case(
        "ambiguous_dates.csv",
        lambda: long_csv("01/02/2020,IT,confirmed,1", "03/04/2020,IT,confirmed,2"),
        "needs_mapping",
        "can be read as",
    ),
    Case(
        "unknown_location.csv", lambda: long_csv("2020-03-01,Atlantis,confirmed,1694"), "unknown_location", "'Atlantis'"
    ),
    Case(
        "unknown_region.csv",
        lambda: long_csv("2020-03-01,Lombardi,confirmed,1694"),
        "unknown_location",
        "Lombardia (IT_25)",
        default_country="IT",
    ),
    Case("unknown_metric.csv", lambda: long_csv("2020-03-01,IT,sneezes,1694"), "unknown_metric", "'sneezes'"),
    Case(
        "unknown_metric_mapping.csv",
        lambda: b"date,location,sneezes\n2020-03-01,IT,1\n",
        "unknown_metric",
        "not a known metric",
        mapping={"metrics": {"sneezes": "sneezes"}},
    ),
    Case(
        "conflicting_duplicates.csv",
        lambda: long_csv("2020-03-01,IT,confirmed,1694", "2020-03-01,Italy,confirmed,1700"),
        "conflicting_duplicate",
        "more than once with different values",
    ),
    Case(
        "no_metric_columns.csv",
        lambda: b"date,location,colour\n2020-03-01,IT,red\n",
        "needs_mapping",
        "No column looks like a metric",
    ),
    Case(
        "missing_mapped_column.csv",
        lambda: long_csv("2020-03-01,IT,confirmed,1694"),
        "bad_mapping",
        "'day' is not in the file",
        mapping={"date_column": "day"},
    ),
]
