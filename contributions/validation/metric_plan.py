"""Planning a sheet's metrics: the one metric of a file wide by date or place, the metric and value
columns of a long file, and the columns of values of a file wide by metric."""

from django.utils.translation import gettext_noop

from ..columns import ColumnGuess, metric_in_text, split_metric
from ..parsing import Sheet, problem
from ..texts import Text
from .context import Context, Plan
from .place_columns import HeaderPlaces, check_mapped_places

Columns = dict[str, list[str]]  # role -> the columns that have it


def plan_metric(ctx: Context, sheet: Sheet, plan: Plan) -> None:
    """Wide by date or by place: the one metric of every value, given or named in the file or sheet name."""
    plan.metric = ctx.mapping.get("metric") or metric_in_text(ctx.parsed.filename) or metric_in_text(sheet.name)
    if not plan.metric:
        each = "place" if plan.layout == "wide_place" else "date"
        plan.need(
            "no_metric",
            Text(
                gettext_noop(
                    "A file with one column per %(each)s holds one metric: say which (confirmed, deaths...); "
                    "the file name does not tell."
                ),
                each=str(each),
            ),
            **({"column_places": dict(plan.column_places)} if plan.layout == "wide_place" else {}),
        )
    elif plan.metric not in ctx.metrics:
        ctx.problems.add(
            problem(
                "unknown_metric",
                Text(gettext_noop("%(metric)s is not a known metric code."), metric=repr(plan.metric)),
                value=plan.metric,
            )
        )


def plan_metric_and_value_columns(ctx: Context, plan: Plan, has: Columns) -> None:
    """Long: the column naming each value's metric and the column of the values."""
    m = ctx.mapping
    plan.metric_column = m.get("metric_column") or next(iter(has["metric"]), None)
    plan.value_column = m.get("value_column") or next(iter(has["value"]), None)
    if not plan.metric_column or not plan.value_column:
        plan.need(
            "no_metric_column", Text(gettext_noop("A long file needs a metric column and a value column: say which."))
        )


def plan_metric_columns(
    ctx: Context, sheet: Sheet, plan: Plan, guesses: dict[str, ColumnGuess], headers: HeaderPlaces
) -> None:
    """Wide by metric: the columns of values, the metric of each (given, or detected) and, for a header
    that names a place too ("confirmados_acores"), the place of its values."""
    given = check_mapped_places(ctx, sheet, ctx.mapping.get("column_places") or {})
    if ctx.mapping.get("metrics"):
        _mapped_metric_columns(ctx, sheet, plan)
    else:
        for column, (metric, _) in headers.metric_places.items():
            if column in guesses and given.get(column) != "":
                plan.metric_columns[column] = metric
        placed = set(headers.metric_places) | set(given)
        _detected_metric_columns(ctx, plan, {c: g for c, g in guesses.items() if c not in placed})
    plan.column_places = {c: key for c, (_, key) in headers.metric_places.items() if c in plan.metric_columns}
    for column, key in given.items():
        code = plan.metric_columns.get(column) or _metric_of_header(column, guesses.get(column))
        if key and code is None:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(
                        gettext_noop(
                            "The column %(column)s has a place in column_places but no metric: give it one in "
                            "'metrics'."
                        ),
                        column=repr(column),
                    ),
                    column=column,
                    sheet=sheet.name or None,
                )
            )
        elif key and code:
            plan.metric_columns[column], plan.column_places[column] = code, key
        else:
            plan.metric_columns.pop(column, None)  # left out on purpose
    if plan.reasons and any(r["code"] == "ambiguous_metric_columns" for r in plan.reasons):
        plan.suggested["metrics"] = dict(plan.metric_columns)
    if plan.column_places and plan.reasons:
        plan.suggested["column_places"] = dict(plan.column_places)


def _metric_of_header(column: str, guess: ColumnGuess | None) -> str | None:
    """The metric a header names, alone or with other words ("confirmados_arsnorte" -> confirmed)."""
    if guess is not None and guess.role == "metric_column":
        return guess.metric
    split = split_metric(column)
    return split[0] if split else None


def _mapped_metric_columns(ctx: Context, sheet: Sheet, plan: Plan) -> None:
    """The mapping's columns of values; those not in the file or with an unknown code are reported."""
    plan.metric_columns = {c: code for c, code in ctx.mapping["metrics"].items() if code}
    for column, code in plan.metric_columns.items():
        if column not in sheet.header:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(gettext_noop("The column %(column)s is not in the file."), column=repr(column)),
                    column=column,
                    sheet=sheet.name or None,
                )
            )
        if code not in ctx.metrics:
            ctx.problems.add(
                problem(
                    "unknown_metric",
                    Text(
                        gettext_noop("%(code)s is not a known metric code (known: %(join)s)."),
                        code=repr(code),
                        join=str(", ".join(sorted(ctx.metrics))),
                    ),
                    column=column,
                    value=code,
                    sheet=sheet.name or None,
                )
            )
    plan.metric_columns = {c: code for c, code in plan.metric_columns.items() if c in sheet.header}


def _detected_metric_columns(ctx: Context, plan: Plan, guesses: dict[str, ColumnGuess]) -> None:
    """The columns whose header names a metric; competing guesses for one metric are asked about."""
    by_metric: dict[str, list[tuple[str, bool]]] = {}
    for column, g in guesses.items():
        if g.role == "metric_column" and g.metric in ctx.metrics:
            by_metric.setdefault(g.metric, []).append((column, g.sure))
    for code, found in by_metric.items():
        sure = [c for c, s in found if s]
        chosen = sure[:1] if sure else [c for c, _ in found]
        if len(sure) > 1 or (not sure and len(chosen) > 1):
            chosen = sure or chosen
            plan.need(
                "ambiguous_metric_columns",
                Text(
                    gettext_noop(
                        "Columns %(join)s all look like %(code)s: they will be added up unless you map one of them "
                        "to nothing."
                    ),
                    join=str(", ".join(map(repr, chosen))),
                    code=str(code),
                ),
                metrics=None,
            )
        for column in chosen:
            plan.metric_columns[column] = code
    if not plan.metric_columns:
        plan.need("no_metric_columns", Text(gettext_noop("No column is a metric we know: map columns to metrics.")))
