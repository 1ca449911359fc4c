"""A workbook whose sheets are named after their places: a sheet name we do not know can be given its
place in the mapping's `locations`, as any other text of the file."""

import pytest

from tests.contributions.validation.builders import codes, run, values, workbook

pytestmark = pytest.mark.django_db


ROWS = [["date", "confirmed"], ["2020-03-01", 5], ["2020-03-02", 7]]


def test_a_sheet_name_we_do_not_know_is_reported_then_placed_by_the_mapping(reference_data):
    data = workbook(Lombardia=ROWS, **{"Reg. Lomb. & Ven.": ROWS})
    mapping = {"layout": "wide_metric", "date_column": "date", "sheet_as_location": True}

    unknown = run(data, mapping=mapping, country="IT", filename="regions.xlsx")
    assert "unknown_location" in codes(unknown)
    assert not unknown.report["valid"]

    placed = run(
        data,
        mapping={**mapping, "locations": {"Reg. Lomb. & Ven.": "IT_34"}},
        country="IT",
        filename="regions.xlsx",
    )
    assert placed.report["valid"], placed.report["problems"]
    taken = values(placed)
    assert taken[("IT_25", "confirmed", "2020-03-02")] == 7  # Lombardia, by its sheet's name
    assert taken[("IT_34", "confirmed", "2020-03-01")] == 5  # the sheet the mapping placed in Veneto
