"""CSV and TSV: every cell a string, quoted fields kept whole, rows numbered as in a spreadsheet."""

from contributions.parsing import parse_bytes


def test_reads_every_cell_as_text_so_na_stays_namibia():
    parsed = parse_bytes(b"date,location,confirmed\n2020-03-01,NA,1\n2020-03-01,,2\n")

    frame = parsed.sheets[0].frame
    assert frame["location"].tolist() == ["NA", ""]
    assert frame["confirmed"].tolist() == ["1", "2"]


def test_quoted_fields_keep_delimiters_and_newlines():
    parsed = parse_bytes(b'date,location,note,confirmed\n2020-03-01,IT,"a, b\nc",1\n2020-03-02,IT,"say ""hi""",2\n')

    frame = parsed.sheets[0].frame
    assert frame["note"].tolist() == ["a, b\nc", 'say "hi"']


def test_rows_are_numbered_as_in_a_spreadsheet():
    parsed = parse_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n2020-03-02,IT,2\n")

    assert parsed.sheets[0].frame.index.tolist() == [2, 3]


def test_a_title_line_above_the_header_is_skipped_with_a_warning():
    parsed = parse_bytes(b"Daily figures\ndate,location,confirmed\n2020-03-01,IT,1\n")

    assert parsed.sheets[0].header == ["date", "location", "confirmed"]
    assert parsed.sheets[0].frame.index.tolist() == [3]
    assert [p["code"] for p in parsed.problems] == ["title_row_skipped"]


def test_too_many_rows_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("contributions.parsing.delimited.MAX_ROWS", 3)

    parsed = parse_bytes(b"date,location,confirmed\n" + b"2020-03-01,IT,1\n" * 5)

    assert [p["code"] for p in parsed.problems] == ["too_many_rows"]
    assert not parsed.sheets
