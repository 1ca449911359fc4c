"""Values: text cells read as numbers (one cast when they are all plain numbers), bad ones reported."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext_noop

from ..parsing import ParsedFile
from ..texts import Text
from .context import Context

PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"  # a value as we accept it (after separators are normalised)


def _plain_numbers(texts: pa.Array, digits: pa.Array | None = None) -> pa.Array:
    """Which texts are plain decimal numbers: digits with an optional sign and decimal point.

    Most value columns hold whole numbers only: those are recognised by a check for ASCII digits
    (`digits`, when the caller has it already), and the regular expression (several times slower)
    runs only on the other texts."""
    ok = (pc.ascii_is_decimal(texts) if digits is None else digits).to_numpy(zero_copy_only=False)
    rest = np.flatnonzero(~ok)
    if len(rest):
        ok[rest] = pc.match_substring_regex(texts.take(pa.array(rest)), PLAIN_NUMBER).to_numpy(zero_copy_only=False)
    return pa.array(ok)


def plain_values(parsed: ParsedFile, raw: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """float64 values when every cell is a plain decimal number (most value columns), else None.

    Then one cast does it, with no copies of the texts: whole numbers are recognised by their
    digits, and only the few other cells (negative or fractional values) go through the regular
    expression."""
    if parsed.decimal != "." or not len(raw):
        return None
    digits = pc.ascii_is_decimal(raw)
    others = len(raw) - (pc.sum(digits).as_py() or 0)
    if digits.null_count or others > len(raw) // 10:
        return None
    if others and not pc.all(_plain_numbers(raw, digits)).as_py():
        return None
    try:
        values: np.ndarray = pc.cast(raw, pa.float64()).to_numpy(zero_copy_only=False)
        return values
    except pa.ArrowInvalid:  # a form Arrow reads differently: the careful path decides
        return None


def parse_values(
    ctx: Context, rows: pd.DataFrame, raw: pa.Array | pa.ChunkedArray, plain: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN where empty or bad) and the mask of empty cells; bad cells are reported.

    `raw` is the value column as Arrow strings, `plain` what plain_values made of it."""
    parsed = ctx.parsed
    if plain is not None:
        return plain, np.zeros(len(plain), dtype=bool)
    trimmed = pc.utf8_trim_whitespace(raw)
    empty = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    cleaned = trimmed
    if parsed.thousands:
        cleaned = pc.replace_substring(cleaned, parsed.thousands, "")
    if parsed.decimal == ",":
        cleaned = pc.replace_substring(cleaned, ",", ".")
    ok = _plain_numbers(cleaned)
    numbers = pc.cast(pc.if_else(ok, cleaned, pa.scalar(None, cleaned.type)), pa.float64())
    values = numbers.to_numpy(zero_copy_only=False).astype("float64")
    bad = ~ok.to_numpy(zero_copy_only=False) & ~empty
    if bad.any():
        text = pd.Series(trimmed.to_pylist() if len(trimmed) < 1000 else trimmed.to_pandas(), dtype="str")
        spaced = text[bad].str.replace(r"(?<=\d)[ \u00a0'’](?=\d{3}\b)", "", regex=True)
        fixable = spaced.str.fullmatch(r"[+-]?\d+").to_numpy(dtype=bool)
        fixed = np.flatnonzero(bad)[fixable]
        values[fixed] = spaced[fixable].astype("float64").to_numpy()
        bad[fixed] = False
    if bad.any():
        wrong = rows.loc[bad, ["row", "sheet", "column", "raw_value"]].astype({"sheet": "str", "column": "str"})
        lower = text[bad].str.lower().set_axis(wrong.index)
        kinds = {
            "value_not_finite": lower.str.fullmatch(r"[+-]?(nan|inf|infinity|-nan)"),
            "value_exponent": lower.str.fullmatch(r"[+-]?\d+(\.\d+)?e[+-]?\d+"),
            "formula_in_cell": lower.str.match(r"^[=@]"),
        }
        messages = {
            "value_not_finite": gettext_noop(
                "The value %(value)s is not a number (NaN or infinity); leave the cell empty when there is no value."
            ),
            "value_exponent": gettext_noop(
                "The value %(value)s is in exponent notation, which loses digits; export the column as whole numbers."
            ),
            "formula_in_cell": gettext_noop(
                "The value %(value)s is a formula, not a value; paste values instead of formulas."
            ),
        }
        seen = pd.Series(False, index=wrong.index)
        kinds = {code: match.fillna(False).astype(bool) for code, match in kinds.items()}
        for code, match in kinds.items():
            match = match & ~seen
            seen |= match
            subset = wrong[match]
            ctx.problems.add_rows(
                code,
                "error",
                _each(messages[code], subset["raw_value"]),
                subset,
            )
        subset = wrong[~seen]
        ctx.problems.add_rows(
            "value_not_numeric",
            "error",
            _each(gettext_noop("The value %(value)s is not a number."), subset["raw_value"]),
            subset,
        )
    return values, empty


def _each(msgid: str, raw: pd.Series) -> list[str]:
    """The message of each bad value, naming it (its first 40 characters)."""
    return [Text(msgid, value=repr(value)) for value in raw.astype(str).str.slice(0, 40).tolist()]
