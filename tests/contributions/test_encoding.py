"""Text columns as codes and distinct texts (contributions/validation/encoding.py)."""

import pandas as pd

from contributions.validation.encoding import encode


def test_texts_are_stripped_and_merged_and_a_missing_cell_stays_missing():
    codes, texts = encode(pd.Series([" Lombardia", None, "Lombardia ", "Veneto"], dtype=object))

    assert texts == ["Lombardia", "Veneto"]
    assert codes.tolist() == [0, -1, 0, 1]  # not the last text for the missing cell


def test_a_long_column_of_runs_gives_the_same_codes_as_hashing_every_row():
    names = pd.Series(["IT"] * 60_000 + ["FR"] * 50_000 + ["IT"] * 10, dtype="str")

    codes, texts = encode(names)

    assert texts == ["IT", "FR"]
    assert codes.tolist() == [0] * 60_000 + [1] * 50_000 + [0] * 10
