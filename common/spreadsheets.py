"""Cells that are safe to open in a spreadsheet (CSV formula injection)."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; None becomes ""."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
