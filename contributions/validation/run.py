"""Validating one parsed file: each sheet planned and read, the rows normalised, the report built."""

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_noop

from places.models import Location
from sources.models import SourceRecipe

from ..contracts import MAPPING_KEYS, ColumnMapping, ValidationReport
from ..parsing import ParsedFile, Sheet, problem
from ..texts import Text, fields
from .context import FRAME_COLUMNS, Context, Plan, ValidationResult, mapping_reason
from .countries import check_inside, countries_of, place_counts
from .filters import distinct_values, drop_totals_rows, keep_rows, row_filter
from .normalise import normalise_rows
from .planning import plan_sheet, suggested_base
from .reshape import long_rows, text_columns
from .subplaces import with_parent_totals

logger = logging.getLogger(__package__)  # contributions.validation
MAX_PROBLEMS_IN_REPORT = 5000

Status = dict[str, tuple[str, list[dict[str, Any]]]]  # sheet -> (why its values were not read, its messages)


def merge_mapping(mapping: ColumnMapping | None, recipe: SourceRecipe | dict[str, Any] | None) -> ColumnMapping:
    """The recipe's mapping (and layout), overridden key by key by the volunteer's. A key the volunteer
    sets to None clears the recipe's value (and is not kept); `use_recipe: False` leaves the recipe out."""
    own = dict(mapping or {})
    base: dict[str, Any] = {}
    source: Any = recipe  # a SourceRecipe (mapping and layout fields) or the mapping itself
    if source is not None and own.get("use_recipe") is not False:
        base = dict(getattr(source, "mapping", source) or {})
        if getattr(source, "layout", "") and "layout" not in base:
            base["layout"] = source.layout
    merged = {**base, **own}
    return cast(ColumnMapping, {key: value for key, value in merged.items() if value is not None})


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
            Text(
                gettext_noop(
                    "The file could not be checked (%(name)s); the team has been told. Try again later or send "
                    "the file in another format."
                ),
                name=str(type(exc).__name__),
            ),
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
            problem(
                "bad_mapping",
                Text(gettext_noop("Unknown mapping keys: %(join)s."), join=str(", ".join(unknown_keys))),
                severity="warning",
            )
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
    status: Status = {}  # sheet -> why its values were not read ("" when they were)
    source_rows = 0
    if parsed.is_readable:
        long_parts, source_rows = _read_sheets(ctx, plans, status)
        if long_parts and not ctx.problems.has_errors:
            rows = long_parts[0] if len(long_parts) == 1 else pd.concat(long_parts, ignore_index=True)
            frame, keys = normalise_rows(ctx, with_parent_totals(ctx, rows, plans), plans)
            if len(long_parts) > 1:
                _note_repeating_sheets(ctx, long_parts)
            counts = place_counts(frame)
            national = Context.place_of(ctx.resolver, source_country)
            if national is not None:
                check_inside(ctx, frame, national, counts)
    ctx.problems.flush()
    if ctx.sublocations_unknown and mapping.get("unknown_sublocations") is None:
        message = Text(
            gettext_noop(
                "Some places inside a country or region are not in our reference data (US counties, for instance): "
                "add each such group up into the place above ('aggregate'), leave them out ('ignore') or map each name."
            )
        )
        ctx.needs.append(mapping_reason("unknown_sublocations", message, None))
        ctx.suggested["unknown_sublocations"] = "ignore" if ctx.incomplete_given_directly else "aggregate"
    if parsed.is_readable and not ctx.needs and frame.empty and not ctx.problems.has_errors:
        ctx.problems.add(
            problem("no_values", Text(gettext_noop("No values were found in the file (every value cell is empty).")))
        )
    if ctx.needs:
        ctx.problems.add(
            problem(
                "needs_mapping",
                Text(
                    gettext_noop("The file needs a column mapping: %(reasons)s"),
                    reasons=[dict(r) for r in ctx.needs[:5]],
                ),
            )
        )
    problems = ctx.problems.frame()
    report = _report(ctx, plans, status, problems, source_rows=source_rows, values=len(frame))
    if report["valid"]:
        report["countries"] = countries_of(ctx, counts)
    result_keys: np.ndarray | None = keys
    if not report["valid"]:
        frame, result_keys = frame.iloc[0:0], None
    return ValidationResult(frame=frame.reset_index(drop=True), report=report, problems=problems, keys=result_keys)


def _read_sheets(ctx: Context, plans: dict[str, Plan], status: Status) -> tuple[list[pd.DataFrame], int]:
    """Plan each sheet the mapping asks for (into `plans`) and read it in long form when its plan is
    complete; the long rows of each, and how many rows the sheets have. `status` gets, per sheet, why
    its values were not read ("" when they were)."""
    long_parts = []
    source_rows = 0
    wanted = _wanted_sheets(ctx)
    kept = row_filter(ctx)
    for sheet in ctx.parsed.sheets:
        if wanted and sheet.name and sheet.name not in wanted:
            status[sheet.name] = _because([fields_of(Text(gettext_noop("Not among the sheets the mapping reads.")))])
            continue
        source_rows += len(sheet.frame)
        before = len(ctx.problems.entries)
        sheet = keep_rows(ctx, sheet, kept)
        plan = plan_sheet(ctx, sheet)
        plans[sheet.name] = plan
        errors = [e for e in ctx.problems.entries[before:] if e["severity"] == "error"]
        if errors:
            status[sheet.name] = _because([dict(e) for e in errors], limit=500)
            continue
        if plan.reasons:
            ctx.needs.extend(plan.reasons)
            ctx.suggested.update({k: v for k, v in plan.suggested.items() if v is not None})
            status[sheet.name] = _because([dict(r) for r in plan.reasons])
            continue
        for column in text_columns(plan):  # hashed side by side, for the totals rows and the long rows
            if column in sheet.frame.columns:
                ctx.encoding(sheet.frame, column)
        rows = long_rows(ctx, drop_totals_rows(ctx, sheet, plan), plan)
        if rows.empty:
            ctx.problems.add(
                problem(
                    "sheet_skipped",
                    Text(gettext_noop("Nothing to read in this sheet.")),
                    severity="warning",
                    sheet=sheet.name or None,
                )
            )
            status[sheet.name] = _because([fields_of(Text(gettext_noop("Nothing to read in this sheet.")))])
            continue
        status[sheet.name] = ("", [])
        long_parts.append(rows)
    return long_parts, source_rows


def _note_repeating_sheets(ctx: Context, long_parts: list[pd.DataFrame]) -> None:
    """A warning naming the sheets whose values mostly repeat values given already (a workbook with a
    series and one sheet per day): the volunteer can choose the sheets to read."""
    repeated = ctx.problems.rows_per_sheet("duplicate_row")
    read = {str(part["sheet"].iloc[0]): len(part) for part in long_parts if len(part)}
    names = [name for name in read if 2 * repeated.get(name, 0) >= read[name]]
    if not names:
        return
    shown = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
    ctx.problems.add(
        problem(
            "sheets_repeat_values",
            Text(
                gettext_noop(
                    "The sheets %(sheets)s mostly repeat values the file gives already (%(count)s values, "
                    "each counted once): choose the sheets to read if some hold the same figures as others."
                )
                if len(names) > 1
                else gettext_noop(
                    "The sheet %(sheets)s mostly repeats values the file gives already (%(count)s values, "
                    "each counted once): choose the sheets to read if some hold the same figures as others."
                ),
                sheets=shown,
                count=f"{sum(repeated[n] for n in names):,}",
            ),
            severity="warning",
        )
    )


def _value_columns(ctx: Context, plan: Plan) -> set[str]:
    """The columns of a sheet that hold values (never a row filter): those its plan reads values from,
    and those whose header names a metric."""
    columns = set(plan.metric_columns) | set(plan.date_columns) | {c for c in [plan.value_column] if c}
    return columns | {c for c, role in plan.roles.items() if role in ctx.metrics}


def _wanted_sheets(ctx: Context) -> list[str]:
    """The sheets the mapping reads (none named: all)."""
    wanted: Any = ctx.mapping.get("sheets") or []
    return [wanted] if isinstance(wanted, str) else [str(name) for name in wanted]


def _report(
    ctx: Context,
    plans: dict[str, Plan],
    status: Status,
    problems: pd.DataFrame,
    *,
    source_rows: int,
    values: int,
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
        "detected": {**parsed.detection(), "filename": parsed.filename, **_detected_sheets(ctx, plans, status)},
        "mapping": {**({"layout": layouts[0]} if len(layouts) == 1 else {}), **mapping},
        "layout": layouts[0] if len(layouts) == 1 else ("mixed" if layouts else ""),
        "rows": {"source": source_rows, "values": values},
        "counts": {str(k): int(v) for k, v in counts.items()},
        "errors": errors,
        "warnings": int(sum(e["severity"] == "warning" for e in entries)),
        "problems": entries[:MAX_PROBLEMS_IN_REPORT],
        "problems_truncated": len(entries) > MAX_PROBLEMS_IN_REPORT or any(e.get("summary") for e in entries),
    }


def _detected_sheets(ctx: Context, plans: dict[str, Plan], status: Status) -> dict[str, Any]:
    """Each sheet read: its plan, rows, columns, the few distinct values of its columns (for a row
    filter), whether its values were read and why not; and the workbook's sheets that were not read
    as data (`skipped_sheets`: name and reason)."""
    sheets = []
    for sheet in ctx.parsed.sheets:
        plan = plans.get(sheet.name)
        described = plan.describe() if plan is not None else {"sheet": sheet.name, "layout": None}
        value_columns = _value_columns(ctx, plan) if plan else set()
        reason, parts = status.get(sheet.name) or _because(
            [fields_of(Text(gettext_noop("The file could not be read.")))]
        )
        sheets.append(
            {
                **described,
                "name": sheet.name,
                "rows": len(sheet.frame),
                "columns": sheet.header,
                "values": _filter_values(ctx, sheet, value_columns),
                "read": reason == "",
                "reason": reason,
                **({"reason_parts": parts} if any(p.get("msgid") for p in parts) else {}),
            }
        )
    read = {sheet.name for sheet in ctx.parsed.sheets}
    wanted = _wanted_sheets(ctx)
    skipped = []
    for name in ctx.parsed.sheet_names:
        if name in read:
            continue
        why = next((fields_of(p) for p in ctx.parsed.problems if p.get("sheet") == name), None)
        if wanted and name not in wanted:
            why = fields_of(Text(gettext_noop("Not among the sheets the mapping reads.")))
        if why is None:
            why = fields_of(Text(gettext_noop("It holds no table we can read.")))
        skipped.append({"name": name, "reason": why.pop("message"), **{f"reason_{k}": v for k, v in why.items()}})
    return {"sheets": sheets or ctx.parsed.detection()["sheets"], "skipped_sheets": skipped}


def _filter_values(ctx: Context, sheet: Sheet, value_columns: set[str]) -> dict[str, list[str]]:
    """The few distinct values of the sheet's columns that are not values, offered as row filters; the
    columns whose texts the validation encoded already are read from their encodings."""
    columns = [c for c in sheet.header if c not in value_columns]
    known = {
        c: future.result()
        for c in columns
        if (future := ctx.known_encoding(sheet.frame, c)) is not None
        and not isinstance(sheet.frame[c].dtype, pd.CategoricalDtype)  # unused categories are no values
    }
    return distinct_values(sheet.frame, columns, known)


def fields_of(message: Mapping[str, Any] | str) -> dict[str, Any]:
    """A stored message (a problem, a mapping reason) or a Text as {message[, msgid, params]}."""
    if isinstance(message, str):
        return {"message": str(message), **fields(message)}
    return {key: message[key] for key in ("message", "msgid", "params") if key in message}


def _because(parts: list[dict[str, Any]], limit: int | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Why a sheet was not read, in English, and the messages it is made of (to show in any language)."""
    english = " ".join(str(p["message"]) for p in parts)
    return (english[:limit] if limit else english), [fields_of(p) for p in parts]
