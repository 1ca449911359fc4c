"""Validating one parsed file: each sheet planned and read, the rows normalised, the report built."""

import datetime as dt
import logging
from typing import Any, cast

import numpy as np
import pandas as pd
from django.db import DatabaseError
from django.utils import timezone

from places.models import Location
from sources.models import SourceRecipe

from ..contracts import MAPPING_KEYS, ColumnMapping, ValidationReport
from ..parsing import ParsedFile, problem
from .context import FRAME_COLUMNS, Context, Plan, ValidationResult
from .countries import check_inside, countries_of, place_counts
from .normalise import normalise_rows
from .planning import plan_sheet, suggested_base
from .reshape import long_rows

logger = logging.getLogger(__package__)  # contributions.validation
MAX_PROBLEMS_IN_REPORT = 5000


def merge_mapping(mapping: ColumnMapping | None, recipe: SourceRecipe | dict[str, Any] | None) -> ColumnMapping:
    """The recipe's mapping (and layout), overridden key by key by the volunteer's."""
    base: dict[str, Any] = {}
    source: Any = recipe  # a SourceRecipe (mapping and layout fields) or the mapping itself
    if source is not None:
        base = dict(getattr(source, "mapping", source) or {})
        if getattr(source, "layout", "") and "layout" not in base:
            base["layout"] = source.layout
    return cast(ColumnMapping, {**base, **(mapping or {})})


def validate(
    parsed: ParsedFile,
    *,
    mapping: ColumnMapping | None = None,
    recipe: SourceRecipe | dict[str, Any] | None = None,
    default_country: Location | str | None = None,
    today: dt.date | None = None,
    source_country: Location | str | None = None,
) -> ValidationResult:
    """Normalise and check a parsed file; see contributions.validation for the contract.

    Never raises for bad input; a bug of ours becomes a `validation_failed` error (and a log entry)
    rather than a crashed worker."""
    try:
        return _validate(
            parsed,
            mapping=mapping,
            recipe=recipe,
            default_country=default_country,
            today=today,
            source_country=source_country,
        )
    except (MemoryError, DatabaseError):
        raise
    except Exception as exc:
        logger.exception("validation failed on %s", parsed.filename)
        entry = problem(
            "validation_failed",
            f"The file could not be checked ({type(exc).__name__}); the team has "
            "been told. Try again later or send the file in another format.",
        )
        return ValidationResult(
            frame=pd.DataFrame(columns=FRAME_COLUMNS),
            report={
                "valid": False,
                "needs_mapping": {"needed": False, "reasons": [], "suggested": {}},
                "detected": parsed.detection(),
                "mapping": mapping or {},
                "rows": {"source": 0, "values": 0},
                "counts": {"validation_failed": 1},
                "errors": 1,
                "warnings": 0,
                "problems": [entry],
                "problems_truncated": False,
            },
        )


def _validate(
    parsed: ParsedFile,
    *,
    mapping: ColumnMapping | None,
    recipe: SourceRecipe | dict[str, Any] | None,
    default_country: Location | str | None,
    today: dt.date | None,
    source_country: Location | str | None = None,
) -> ValidationResult:
    mapping = merge_mapping(mapping, recipe)
    ctx = Context(parsed, mapping, default_country, today or timezone.now().date())
    for entry in parsed.problems:
        ctx.problems.add(entry.copy())
    unknown_keys = sorted(set(mapping) - MAPPING_KEYS)
    if unknown_keys:
        ctx.problems.add(
            problem("bad_mapping", f"Unknown mapping keys: {', '.join(unknown_keys)}.", severity="warning")
        )
    frame = pd.DataFrame(
        {
            c: pd.Series(dtype=t)
            for c, t in [
                ("location_id", "int64"),
                ("location_key", "str"),
                ("metric_id", "int64"),
                ("metric", "str"),
                ("date", "datetime64[s]"),
                ("value", "float64"),
                ("row", "int64"),
                ("sheet", "str"),
            ]
        }
    )
    keys = np.zeros(0, dtype="int64")
    counts: dict[int, int] = {}
    plans: dict[str, Plan] = {}
    source_rows = 0
    if parsed.is_readable:
        long_parts, source_rows = _read_sheets(ctx, plans)
        if long_parts and not ctx.problems.has_errors:
            rows = long_parts[0] if len(long_parts) == 1 else pd.concat(long_parts, ignore_index=True)
            frame, keys = normalise_rows(ctx, rows, plans)
            counts = place_counts(frame)
            national = Context.place_of(ctx.resolver, source_country)
            if national is not None:
                check_inside(ctx, frame, national, counts)
    ctx.problems.flush()
    if ctx.sublocations_unknown and mapping.get("unknown_sublocations") is None:
        ctx.needs.append(
            {
                "code": "unknown_sublocations",
                "message": "Some places inside a country or region are "
                "not in our reference data (US counties, for instance): add each such group up into the "
                "place above ('aggregate'), leave them out ('ignore') or map each name.",
                "sheet": None,
            }
        )
        ctx.suggested["unknown_sublocations"] = "ignore" if ctx.incomplete_given_directly else "aggregate"
    if parsed.is_readable and not ctx.needs and frame.empty and not ctx.problems.has_errors:
        ctx.problems.add(problem("no_values", "No values were found in the file (every value cell is empty)."))
    if ctx.needs:
        ctx.problems.add(
            problem(
                "needs_mapping", "The file needs a column mapping: " + " ".join(r["message"] for r in ctx.needs[:5])
            )
        )
    problems = ctx.problems.frame()
    report = _report(ctx, plans, problems, source_rows=source_rows, values=len(frame))
    if report["valid"]:
        report["countries"] = countries_of(ctx, counts)
    result_keys: np.ndarray | None = keys
    if not report["valid"]:
        frame, result_keys = frame.iloc[0:0], None
    return ValidationResult(frame=frame.reset_index(drop=True), report=report, problems=problems, keys=result_keys)


def _read_sheets(ctx: Context, plans: dict[str, Plan]) -> tuple[list[pd.DataFrame], int]:
    """Plan each sheet the mapping asks for (into `plans`) and read it in long form when its plan is
    complete; the long rows of each, and how many rows the sheets have."""
    long_parts = []
    source_rows = 0
    wanted = ctx.mapping.get("sheets")
    for sheet in ctx.parsed.sheets:
        if wanted and sheet.name and sheet.name not in wanted:
            continue
        errors_before = sum(e["severity"] == "error" for e in ctx.problems.entries)
        plan = plan_sheet(ctx, sheet)
        plans[sheet.name] = plan
        source_rows += len(sheet.frame)
        if sum(e["severity"] == "error" for e in ctx.problems.entries) > errors_before:
            continue
        if plan.reasons:
            ctx.needs.extend(plan.reasons)
            ctx.suggested.update({k: v for k, v in plan.suggested.items() if v is not None})
            continue
        rows = long_rows(sheet, plan)
        if rows.empty:
            ctx.problems.add(
                problem("sheet_skipped", "Nothing to read in this sheet.", severity="warning", sheet=sheet.name or None)
            )
            continue
        long_parts.append(rows)
    return long_parts, source_rows


def _report(
    ctx: Context, plans: dict[str, Plan], problems: pd.DataFrame, *, source_rows: int, values: int
) -> ValidationReport:
    """The report (see contributions.contracts.ValidationReport) once every problem is known."""
    parsed, mapping = ctx.parsed, ctx.mapping
    needs_mapping = bool(ctx.needs)
    entries = ctx.problems.entries
    counts = problems.groupby("code").size().astype(int).to_dict() if len(problems) else {}
    errors = int(sum(e["severity"] == "error" for e in entries))
    layouts = sorted({p.layout for p in plans.values() if p.layout})
    return {
        "valid": errors == 0 and not needs_mapping,
        "needs_mapping": {
            "needed": needs_mapping,
            "reasons": ctx.needs,
            "suggested": cast(ColumnMapping, {**suggested_base(plans), **ctx.suggested}) if needs_mapping else {},
        },
        "detected": {
            **parsed.detection(),
            "filename": parsed.filename,
            "sheets": [
                {**p.describe(), "rows": len(s.frame), "columns": s.header}
                for s in parsed.sheets
                for p in [plans.get(s.name)]
                if p is not None
            ]
            or parsed.detection()["sheets"],
        },
        "mapping": {**({"layout": layouts[0]} if len(layouts) == 1 else {}), **mapping},
        "layout": layouts[0] if len(layouts) == 1 else ("mixed" if layouts else ""),
        "rows": {"source": source_rows, "values": values},
        "counts": {str(k): int(v) for k, v in counts.items()},
        "errors": errors,
        "warnings": int(sum(e["severity"] == "warning" for e in entries)),
        "problems": entries[:MAX_PROBLEMS_IN_REPORT],
        "problems_truncated": len(entries) > MAX_PROBLEMS_IN_REPORT or any(e.get("summary") for e in entries),
    }
