"""JSON records, or columns and rows, become a table of strings."""

from contributions.parsing import parse_bytes


def test_json_records_become_a_table_of_strings():
    parsed = parse_bytes(b'{"data": [{"date": "2020-03-01", "location": "NA", "confirmed": 12, "note": null}]}')

    assert parsed.kind == "json"
    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "NA", "12", ""]


def test_json_in_columns_and_data_form_is_accepted():
    parsed = parse_bytes(b'{"columns": ["date", "location", "confirmed"], "data": [["2020-03-01", "IT", 1694]]}')

    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "IT", "1694"]
