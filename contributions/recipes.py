"""A source's recipes, one per file shape: which recipe a new file gets, what approving an upload
remembers, and what the source page lists.

A file's shape is its header signature: the SHA-256 of the headers of each sheet, with the headers
that are dates left out (a file with one column per date gains one every day and keeps its shape),
each sheet's headers as a set and the sheets as a set (column order, sheet names and a workbook
gaining a sheet like the others do not change the shape). Headers are otherwise compared as
written: a mapping names columns exactly, so "Date" and "date" are two shapes.

    choose(source, parsed, mapping)  -> the recipe for this file, or None (contributions.pipeline)
    applied(recipe, mapping)         -> report["recipe"] (contracts.RecipeApplied), or None
    remember(submission)             -> the recipe saved when an upload is approved (review.services)
    listed(source)                   -> the source page's list of recipes
"""

import codecs
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from sources.models import Source, SourceRecipe

from .contracts import ColumnMapping, RecipeApplied
from .models import Submission
from .parsing import ParsedFile
from .validation.dates import header_is_date

# Keys a recipe never keeps: they hold for one file, not for every file of its shape (a constant date
# would put tomorrow's figures on today's date), or for this submission only.
NOT_REMEMBERED = frozenset({"date", "use_recipe"})
# Keys that change how the file is read, so a recipe that sets them means reading the file again.
PARSING_KEYS = ("encoding", "delimiter", "decimal", "thousands", "sheets")
HEADERS_SHOWN = 8


@dataclass(frozen=True)
class FileShape:
    signature: str  # "" when the file has no readable sheet
    headers: list[dict[str, Any]]  # [{"sheet": name, "headers": [non-date headers, in file order]}]


def file_shape(sheets: Iterable[tuple[str, Sequence[str]]], only: Collection[str] | None = None) -> FileShape:
    """The shape of a file from its sheets' (name, headers); `only`: just the sheets a mapping reads
    (its `sheets` key), as a recipe made from those sheets was signed with them."""
    kept = []
    for name, headers in sheets:
        if only and name and name not in only:
            continue
        kept.append({"sheet": name, "headers": [h.strip() for h in headers if not header_is_date(str(h))]})
    if not kept:
        return FileShape("", [])
    sets = sorted({tuple(sorted(set(sheet["headers"]))) for sheet in kept})
    digest = hashlib.sha256(json.dumps(sets, ensure_ascii=False).encode("utf-8")).hexdigest()
    return FileShape(digest, kept)


def parsed_sheets(parsed: ParsedFile) -> list[tuple[str, list[str]]]:
    return [(sheet.name, sheet.header) for sheet in parsed.sheets]


def report_sheets(report: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """The sheets a validation report saw (`detected.sheets`: name and columns)."""
    sheets = ((report or {}).get("detected") or {}).get("sheets") or []
    return [(str(s.get("name") or ""), [str(c) for c in s.get("columns") or []]) for s in sheets if isinstance(s, dict)]


def recipe_mapping(recipe: SourceRecipe) -> dict[str, Any]:
    """The mapping a recipe gives, its layout included."""
    mapping = dict(recipe.mapping or {})
    if recipe.layout and "layout" not in mapping:
        mapping["layout"] = recipe.layout
    return mapping


# --- choosing the recipe of a new file ----------------------------------------------------------


def choose(source: Source, parsed: ParsedFile, mapping: ColumnMapping | None = None) -> SourceRecipe | None:
    """The source's recipe for this file: the one whose signature is the file's; else a recipe from
    before signatures, when every column it names is in the file; else None. None too when the
    volunteer switched recipes off (`use_recipe: False`) or the file has no readable sheet."""
    if (mapping or {}).get("use_recipe") is False:
        return None
    sheets = parsed_sheets(parsed)
    if not sheets:
        return None
    candidates = list(SourceRecipe.objects.filter(source=source).order_by("-updated_at", "-pk"))
    matching = [
        recipe
        for recipe in candidates
        if recipe.signature and file_shape(sheets, (recipe.mapping or {}).get("sheets")).signature == recipe.signature
    ]
    if matching:  # a recipe made from the whole file before one made from some of its sheets
        return min(matching, key=lambda recipe: bool((recipe.mapping or {}).get("sheets")))
    unsigned = next((recipe for recipe in candidates if not recipe.signature), None)
    if unsigned is not None and fits(unsigned, sheets):
        return unsigned
    return None


def named_columns(mapping: Mapping[str, Any]) -> set[str]:
    """The columns a mapping names (the keys of `metrics` are columns unless the file is long)."""
    columns = {mapping.get(key) for key in ("date_column", "metric_column", "value_column")}
    columns |= set(mapping.get("location_columns") or [])
    for key in ("location_schemes", "column_places", "keep_rows"):
        columns |= set(mapping.get(key) or {})
    if mapping.get("layout") != "long" and not mapping.get("metric_column"):
        columns |= set(mapping.get("metrics") or {})
    return {str(column) for column in columns if column}


def fits(recipe: SourceRecipe, sheets: Sequence[tuple[str, Sequence[str]]]) -> bool:
    """An unsigned recipe applies when it names columns, all of them in the sheets it reads, and every
    sheet it asks for is there: a recipe naming no column would only impose a layout on any file."""
    mapping = recipe_mapping(recipe)
    wanted = mapping.get("sheets") or []
    names = {name for name, _ in sheets}
    if any(sheet not in names for sheet in wanted) and any(names):
        return False
    headers = {h for name, header in sheets if not wanted or not name or name in wanted for h in header}
    columns = named_columns(mapping)
    return bool(columns) and columns <= headers


def parsing_overrides(recipe: SourceRecipe | None, mapping: ColumnMapping | None, parsed: ParsedFile) -> dict:
    """The recipe's parsing keys (encoding, delimiter, separators, sheets) that the volunteer did not
    set and that differ from how the file was read: non-empty means reading it again with them."""
    if recipe is None:
        return {}
    own = mapping or {}
    found = {
        "encoding": _codec(parsed.encoding),
        "delimiter": parsed.delimiter,
        "decimal": parsed.decimal,
        "thousands": parsed.thousands,
        "sheets": sorted(sheet.name for sheet in parsed.sheets),
    }
    given = recipe_mapping(recipe)
    overrides = {}
    for key in PARSING_KEYS:
        if key in own or given.get(key) is None:
            continue
        if parsed.kind == "xlsx" and key in ("encoding", "delimiter"):
            continue
        if key == "sheets" and (parsed.kind != "xlsx" or sorted(given[key]) == found["sheets"]):
            continue
        wanted = _codec(given[key]) if key == "encoding" else given[key]
        if key != "sheets" and wanted == found[key]:
            continue
        overrides[key] = given[key]
    return overrides


def _codec(name: object) -> str:
    try:
        return codecs.lookup(str(name)).name
    except LookupError:
        return str(name)


def applied(recipe: SourceRecipe | None, mapping: ColumnMapping | None) -> RecipeApplied | None:
    """What the report says about the recipe: which, and the keys it set (the volunteer's own keys,
    None included, win over the recipe's)."""
    if recipe is None:
        return None
    own = mapping or {}
    keys = sorted(key for key in recipe_mapping(recipe) if key not in own)
    return {"id": recipe.pk, "signature": recipe.signature, "keys": keys}


# --- remembering a mapping when an upload is approved ---------------------------------------------


def remembered_mapping(submission: Submission) -> dict[str, Any]:
    """The mapping a recipe keeps from an approved upload: the one its report applied (the recipe's
    keys and the volunteer's), without a key cleared (None) or one that holds for one file only."""
    applied_mapping = (submission.report or {}).get("mapping") or submission.mapping or {}
    return {key: value for key, value in applied_mapping.items() if value is not None and key not in NOT_REMEMBERED}


def remember(submission: Submission) -> SourceRecipe | None:
    """Save or update the source's recipe for the shape of the approved upload's file, when the
    volunteer gave a mapping; the recipes of other shapes stay as they are. A recipe from before
    signatures that the upload was read with becomes the signed recipe of its shape."""
    own = {key: value for key, value in (submission.mapping or {}).items() if key != "use_recipe"}
    report = submission.report or {}
    used = report.get("recipe") or {}
    mapping = remembered_mapping(submission)
    layout = str(mapping.pop("layout", "") or submission.layout or "")
    shape = file_shape(report_sheets(report), mapping.get("sheets"))
    fields = {"layout": layout, "mapping": mapping, "headers": shape.headers, "updated_from": submission}
    with transaction.atomic():
        if shape.signature and used.get("signature") == "":
            unsigned = SourceRecipe.objects.filter(pk=used["id"], source_id=submission.source_id, signature="")
            taken = SourceRecipe.objects.filter(source_id=submission.source_id, signature=shape.signature)
            if not taken.exists() and unsigned.update(signature=shape.signature, **fields):
                return SourceRecipe.objects.get(pk=used["id"])
        if not own:
            return None  # read as detected, or with its recipe unchanged: nothing new to remember
        recipe, _ = SourceRecipe.objects.update_or_create(
            source_id=submission.source_id, signature=shape.signature, defaults=fields
        )
    return recipe


# --- the source page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedRecipe:
    id: int
    signature: str  # the first 12 characters, "" for a recipe from before signatures
    headers: str  # "date, region, confirmed, … and 12 more" (per sheet: "Sheet: ...")
    layout: str
    mapping: dict[str, Any]
    made_from: int | None  # the approved upload it was saved from
    updated_at: datetime


def listed(source: Source) -> list[ListedRecipe]:
    """The source's recipes for its page, the most recently saved first."""
    return [
        ListedRecipe(
            id=recipe.pk,
            signature=recipe.signature[:12],
            headers=shortened_headers(recipe.headers),
            layout=recipe.layout,
            mapping=dict(recipe.mapping or {}),
            made_from=recipe.updated_from_id,
            updated_at=recipe.updated_at,
        )
        for recipe in SourceRecipe.objects.filter(source=source).order_by("-updated_at", "-pk")
    ]


def shortened_headers(headers: list[dict[str, Any]], shown: int = HEADERS_SHOWN) -> str:
    """The headers a signature was made from, cut short: "date, region, … and 12 more"; sheets with
    the same headers once ("Lombardia and 20 more sheets: ...")."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for sheet in headers or []:
        groups.setdefault(tuple(str(h) for h in sheet.get("headers") or []), []).append(str(sheet.get("sheet") or ""))
    parts = []
    for names, sheets in groups.items():
        text = ", ".join(names[:shown]) + (f", … and {len(names) - shown} more" if len(names) > shown else "")
        if len(headers) > 1 and sheets[0]:
            more = f" and {len(sheets) - 1} more sheets" if len(sheets) > 1 else ""
            text = f"{sheets[0]}{more}: {text}"
        parts.append(text)
    return "; ".join(parts)
