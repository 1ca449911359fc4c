"""What the mapping page reads from a validation report: the columns, the sheets, the values a row
filter can keep, the unknown place names, and the recipe that was applied.

Everything here is a plain reading of contracts.ValidationReport; keys a report may not carry yet
(a sheet's `values`, a problem's `within`) are optional.
"""

import re
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils.translation import gettext as _

from ..contracts import ColumnMapping, RecipeApplied, ValidationReport
from ..models import Submission
from ..texts import reason_text, translated
from ..validation.filters import MAX_FILTER_VALUES

MAX_COLUMNS_IN_FORM = 200
LOCATION_ROLES = {"country", "region", "subregion", "location"}
# Detected roles of the columns a row filter may be set on (a date, a value or a metric's never).
FILTER_ROLES = LOCATION_ROLES | {"metric", "ignore"}
UNKNOWN_PLACE_CODES = ("unknown_location", "ambiguous_location")
LABELLED_KEY = re.compile(r".*\(([^()]+)\)\s*")  # "Lombardia (IT_25)": a suggestion given as a label

Report = ValidationReport | dict[str, Any]


def detected_sheets(report: Report) -> list[dict]:
    return (report.get("detected") or {}).get("sheets") or []


def suggested_mapping(submission: Submission) -> ColumnMapping:
    """What the form starts from: the mapping already given, else validation's suggestion."""
    suggested = ((submission.report or {}).get("needs_mapping") or {}).get("suggested") or {}
    applied = (submission.report or {}).get("mapping") or {}
    return cast(ColumnMapping, {**applied, **suggested, **(submission.mapping or {})})


def mappable_columns(report: Report) -> list[tuple[str, str | None]]:
    """(column, detected role) for every column a volunteer may map; date headers of wide files excluded."""
    seen: dict[str, str | None] = {}
    for sheet in detected_sheets(report):
        roles = sheet.get("roles") or {}
        wide_by_date = sheet.get("layout") == "wide_date"
        for column in sheet.get("columns") or []:
            role = roles.get(column)
            if wide_by_date and role is None:
                continue  # a date in the header: the values of that date
            seen.setdefault(column, role)
    return list(seen.items())[:MAX_COLUMNS_IN_FORM]


def detected_column_places(report: Report) -> dict[str, str]:
    """column -> place key, as validation detected it (one column per place) or suggested it."""
    found: dict[str, str] = {}
    for sheet in detected_sheets(report):
        found.update({c: k for c, k in (sheet.get("column_places") or {}).items() if c not in found})
    suggested = ((report.get("needs_mapping") or {}).get("suggested") or {}).get("column_places") or {}
    return {**found, **suggested}


def left_out_reasons(report: Report) -> dict[str, str]:
    """column -> why validation did not take its values (a column of figures it left out on its own)."""
    reasons: dict[str, str] = {}
    for sheet in detected_sheets(report):
        for entry in sheet.get("left_out") or []:
            if entry.get("column") and entry.get("values") and not entry.get("on_purpose"):
                reasons.setdefault(str(entry["column"]), reason_text(entry))
    return reasons


@dataclass
class SheetInfo:
    """A sheet of a workbook as the page lists it."""

    name: str
    rows: int | None = None
    columns: int | None = None
    layout: str | None = None
    reason: str = ""  # why it was not read at all (not a table, not chosen): not ticked at first
    note: str = ""  # read, but why its values were not taken (it needs a mapping, an error)


def sheet_infos(report: Report, mapping: ColumnMapping) -> list[SheetInfo]:
    """Every named sheet of the workbook, in its order: those read (with why their values were not
    taken, if so), those not read and why, and those the mapping names although the file has none."""
    detected = report.get("detected") or {}
    infos: dict[str, SheetInfo] = {}
    for sheet in detected_sheets(report):
        name = sheet.get("name") if sheet.get("name") is not None else sheet.get("sheet")
        if not name:
            continue  # a CSV: one unnamed sheet
        infos[name] = SheetInfo(
            name=name,
            rows=sheet.get("rows"),
            columns=len(sheet.get("columns") or []),
            layout=sheet.get("layout"),
            note=reason_text(sheet) if sheet.get("read") is False else "",
        )
    for skipped in detected.get("skipped_sheets") or []:
        if skipped.get("name") and skipped["name"] not in infos:
            infos[skipped["name"]] = SheetInfo(name=skipped["name"], reason=reason_text(skipped))
    for entry in report.get("problems") or []:
        name = entry.get("sheet")
        if name and name not in infos:  # named by a problem, yet not read: why it could not be
            infos[name] = SheetInfo(name=name, reason=translated(entry) or _("It could not be read."))
    for name in detected.get("sheet_names") or []:
        infos.setdefault(name, SheetInfo(name=name, reason=_("It could not be read.")))
    for name in mapping.get("sheets") or []:
        infos.setdefault(name, SheetInfo(name=name, reason=_("The workbook has no sheet of this name.")))
    order = {name: i for i, name in enumerate(detected.get("sheet_names") or [])}
    return sorted(infos.values(), key=lambda info: order.get(info.name, len(order)))


def filter_columns(report: Report, mapping: ColumnMapping) -> list[tuple[str, list[str]]]:
    """(column, its distinct values) for every column a row filter can be set on: those whose few
    values validation listed in every sheet that has the column (at most MAX_FILTER_VALUES in all;
    never a date, a column of figures or one that looks like a metric), and those the mapping
    already filters on."""
    values: dict[str, list[str]] = {}
    figures: set[str] = set()
    for sheet in detected_sheets(report):
        roles = sheet.get("roles") or {}
        listed_here = sheet.get("values") or {}
        figures |= {c for c, role in roles.items() if role and role not in FILTER_ROLES}
        figures |= {str(e.get("column")) for e in sheet.get("left_out") or [] if "metric" in e}
        figures |= {c for c in sheet.get("columns") or [] if c not in listed_here}  # too many values here
        for column, listed in listed_here.items():
            known = values.setdefault(column, [])
            known.extend(str(v) for v in listed if str(v) not in known)
    offered = {c: v for c, v in values.items() if c not in figures and len(v) <= MAX_FILTER_VALUES}
    for column, kept in (mapping.get("keep_rows") or {}).items():
        known = offered.setdefault(column, list(values.get(column, [])))
        known.extend(str(v) for v in kept or [] if str(v) not in known)
    return list(offered.items())


@dataclass
class UnknownPlace:
    """One place text of the file that found no place (or several), as the report names it: once
    for all the sheets it is in, since the mapping's `locations` hold for every sheet."""

    text: str
    code: str
    message: str
    sheets: list[str] = field(default_factory=list)
    row_count: int | None = None
    parent: str | None = None  # key of the place it was looked for in
    within: str = ""  # the row's more general place texts ("Canada")
    suggestions: list[str] = field(default_factory=list)  # location keys

    @property
    def scoped_text(self) -> str:
        """The mapping's `locations` key that limits the entry to rows under `within`."""
        return f"{self.within} / {self.text}" if self.within else self.text


def suggestion_key(suggestion: str) -> str:
    """A suggestion's location key, whether the report gave the key or a label "Name (KEY)"."""
    match = LABELLED_KEY.fullmatch(suggestion)
    return match.group(1).strip() if match else suggestion.strip()


def unknown_places(report: Report) -> list[UnknownPlace]:
    """Every unknown or ambiguous place text the report lists, once per text and place above it."""
    found: dict[tuple[str, str, str | None], UnknownPlace] = {}
    for entry in report.get("problems") or []:
        if entry.get("code") not in UNKNOWN_PLACE_CODES or not entry.get("value") or entry.get("summary"):
            continue
        key = (str(entry["value"]), str(entry.get("within") or ""), entry.get("parent"))
        place = found.get(key)
        if place is None:
            place = found[key] = UnknownPlace(
                text=key[0],
                code=entry["code"],
                message=translated(entry),
                parent=entry.get("parent"),
                within=key[1],
                suggestions=[suggestion_key(s) for s in entry.get("suggestions") or [] if s],
            )
        if entry.get("row_count") is not None:
            place.row_count = (place.row_count or 0) + int(entry["row_count"])
        sheet = entry.get("sheet")
        if sheet and sheet not in place.sheets:
            place.sheets.append(str(sheet))
    return list(found.values())


def unlisted_place_notes(report: Report) -> list[str]:
    """What the report says about unknown places it did not list one by one (a summary line), and a
    note when the report itself was cut: the page shows them so that no name is dropped silently."""
    notes = [
        translated(entry)
        for entry in report.get("problems") or []
        if entry.get("code") in UNKNOWN_PLACE_CODES and (not entry.get("value") or entry.get("summary"))
    ]
    if report.get("problems_truncated") and len(report.get("problems") or []) >= 5000:
        notes.append(
            _("The report was cut at 5,000 problems: more unknown names may be listed after you save these choices.")
        )
    return [n for n in notes if n]


def recipe_applied(report: Report) -> RecipeApplied | None:
    """The source's recipe validation applied to this file, if any."""
    recipe = report.get("recipe")
    return cast(RecipeApplied, recipe) if isinstance(recipe, dict) and recipe.get("id") is not None else None
