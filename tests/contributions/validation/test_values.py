"""Values: separators of every convention read, plain columns cast at once, bad cells reported."""

import pytest

from .builders import run, values


def test_decimal_comma_and_thousands_dots_are_read(reference_data):
    result = run("data;luogo;tamponi\n01.03.2020;IT;1.234.567\n02.03.2020;IT;1.300.000,0\n")

    assert values(result) == {("IT", "tests", "2020-03-01"): 1234567, ("IT", "tests", "2020-03-02"): 1300000}


def test_spaces_as_thousands_separators_are_read(reference_data):
    result = run("date,location,confirmed\n2020-03-01,FR,12 345\n")

    assert values(result) == {("FR", "confirmed", "2020-03-01"): 12345}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1694", "0012", "7"], [1694, 12, 7]),  # whole numbers: one cast
        (["7"] * 50 + ["-5", "2.5", ".5", "+3"], [7] * 50 + [-5, 2.5, 0.5, 3]),  # a few others: checked one by one
        (["7"] * 5 + ["-5", "-6"], None),  # many others: the careful path
        (["1694", "1e5"], None),
        (["1694", " 12"], None),
        (["1694", ""], None),
        (["1694", "nan"], None),
        (["1,694", "12"], None),
        ([], None),
    ],
)
def test_plain_value_columns_are_cast_at_once_and_anything_else_gets_the_careful_path(cells, expected):
    import pyarrow as pa

    from contributions.parsing import ParsedFile
    from contributions.validation.values import plain_values

    values = plain_values(ParsedFile(decimal="."), pa.array(cells, pa.large_string()))

    assert (values.tolist() if values is not None else None) == expected


def test_values_the_fast_path_refuses_are_still_read_or_reported(reference_data):
    padded = run("date,location,confirmed\n2020-03-01,IT, 12\n2020-03-02,IT,\n")
    exponent = run("date,location,confirmed\n2020-03-01,IT,12\n2020-03-02,IT,1e5\n")

    assert padded.is_valid
    assert values(padded) == {("IT", "confirmed", "2020-03-01"): 12}  # the empty cell left out
    assert [(p["code"], p["row"]) for p in exponent.report["problems"]] == [("value_exponent", 3)]
