"""Cells of the exported CSV files: text made safe for spreadsheets, numbers in their shortest exact form.

Text cells go through `escape_cell`, so a name beginning with = + - @ (or a tab or CR) cannot run
as a formula in a spreadsheet. Numbers are never escaped, which keeps the JHU round trip exact
(Lat "-11.2027" stays a number).
"""

from collections.abc import Iterator

import numpy as np
import pandas as pd

from common.spreadsheets import escape_formula

from .schema import TIDY_HEADER


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def escape_cell(text: object) -> str:
    """A text cell safe to open in a spreadsheet: formula-like text gets a leading apostrophe."""
    text = "" if text is None else str(text)
    return text if _is_number(text) else escape_formula(text)


def format_values(values: np.ndarray) -> np.ndarray:
    """Numbers as text: whole numbers without ".0", others in their shortest exact form, NaN as ""."""
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    whole = finite & (np.abs(values) < 2**53)
    whole[whole] = values[whole] == np.floor(values[whole])
    out = np.full(values.shape, "", dtype=object)
    out[whole] = values[whole].astype("int64").astype(str)
    other = finite & ~whole
    if other.any():
        out[other] = [repr(float(v)) for v in values[other]]
    return out


def csv_rows(chunk: pd.DataFrame) -> Iterator[tuple[str, ...]]:
    """A tidy chunk as CSV rows: text cells escaped (once per distinct text), numbers formatted."""
    columns: list[list[str]] = []
    for column in TIDY_HEADER:
        if column == "value":
            columns.append(format_values(chunk["value"].to_numpy()).tolist())
        elif column == "date":
            columns.append(chunk["date"].tolist())
        else:
            values = chunk[column].tolist()
            escaped = {text: escape_cell(text) for text in set(values)}
            columns.append([escaped[text] for text in values])
    return zip(*columns, strict=True)
