"""Dates: one format for the whole file, ambiguity asked about, the mapping settles it."""

import datetime as dt

import pytest

from contributions.validation.dates import read_dates

from .builders import run, values


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["1/22/20", "3/9/23"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
        (["22.01.2020", "09.03.2023"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
        (["22/01/2020", "09/03/2023"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
        (["2020-03-01T17:00:00", "2021-01-02 05:22:33"], [dt.date(2020, 3, 1), dt.date(2021, 1, 2)]),
        (["43859", "43860"], [dt.date(2020, 1, 29), dt.date(2020, 1, 30)]),
        (["20200301"], [dt.date(2020, 3, 1)]),
    ],
)
def test_date_formats(texts, expected):
    reading = read_dates(texts)

    assert [reading.dates[t] for t in texts] == expected
    assert reading.ambiguous is None


def test_day_month_ambiguity_asks_for_the_format_and_the_mapping_settles_it(reference_data):
    text = "date,location,metric,value\n01/02/2020,IT,confirmed,1\n03/04/2020,IT,confirmed,2\n"

    asked = run(text)
    settled = run(text, mapping={"date_format": "%d/%m/%Y"})

    assert [r["code"] for r in asked.report["needs_mapping"]["reasons"]] == ["ambiguous_date_format"]
    assert values(settled) == {("IT", "confirmed", "2020-02-01"): 1, ("IT", "confirmed", "2020-04-03"): 2}
