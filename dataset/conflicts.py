"""Conflicts between sources: one place, metric and date for which two sources gave different values.

The canonical dataset keeps one value per place, metric and date; when a source's value replaced
another source's different value, the history row keeps the losing one (ObservationHistory). The
public report lists those, per country, with both sources, the difference, and why the winner won:
a higher priority, a reviewer's override of a higher-priority source, or (equal priorities) being
the newer value. A reviewer of the country can mark a conflict as explained (ConflictExplanation).
Reverts are not conflicts: their history rows restore a value and are left out.
"""

import csv
from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from common.spreadsheets import escape_formula
from sources.models import Source

from .errata import may_edit
from .models import ConflictExplanation, ObservationHistory

REVERT_PREFIX = "Revert of submission"  # review.revert's release descriptions
CSV_COLUMNS = [
    "date",
    "location_key",
    "metric",
    "losing_source",
    "losing_value",
    "winning_source",
    "winning_value",
    "difference",
    "won_by",
    "release",
    "submission",
    "explanation",
]


class ExplanationRefused(Exception):
    """The user may not explain conflicts of this country."""


def in_country(rows: QuerySet[ObservationHistory], country: str) -> QuerySet[ObservationHistory]:
    code = country.strip().upper()
    return rows.filter(Q(location__country_code=code) | Q(location__key=code))


def conflicts(*, country: str = "", metric: str = "", explained: bool | None = None) -> QuerySet[ObservationHistory]:
    """History rows where a source's value replaced another source's different value, newest date first,
    annotated with `explanation` (empty when none)."""
    explanation = ConflictExplanation.objects.filter(
        location_id=OuterRef("location_id"),
        metric_id=OuterRef("metric_id"),
        date=OuterRef("date"),
        losing_source_id=OuterRef("old_source_id"),
        winning_source_id=OuterRef("new_source_id"),
    ).values("explanation")[:1]
    rows = (
        ObservationHistory.objects.exclude(old_source_id=F("new_source_id"))
        .filter(new_value__isnull=False)
        .exclude(old_value=F("new_value"))
        .exclude(release__description__startswith=REVERT_PREFIX)
    )
    if country:
        rows = in_country(rows, country)
    if metric:
        rows = rows.filter(metric__code=metric)
    rows = rows.annotate(explanation=Subquery(explanation))
    if explained is not None:
        rows = rows.filter(explanation__isnull=not explained)
    return rows.select_related("location", "metric", "old_source", "new_source", "release").order_by(
        "-date", "location__key", "metric__code", "-pk"
    )


def won_by(row: ObservationHistory) -> str:
    """Why the winning value won: "priority", "override" (a reviewer overrode a higher priority) or "newer"."""
    if row.new_source.priority > row.old_source.priority:
        return "priority"
    if row.new_source.priority < row.old_source.priority:
        return "override"
    return "newer"


WON_BY_TEXT = {
    "priority": "higher priority",
    "override": "a reviewer overrode the higher-priority source",
    "newer": "equal priority: the newer value",
}


def describe(row: ObservationHistory) -> dict[str, Any]:
    """One conflict as the report, the CSV and the API show it."""
    difference = (row.new_value or 0) - row.old_value
    reason = won_by(row)
    return {
        "id": row.pk,
        "date": row.date.isoformat(),
        "location": row.location.key,
        "location_name": row.location.name,
        "metric": row.metric.code,
        "losing_source": {"id": row.old_source_id, "name": row.old_source.name, "priority": row.old_source.priority},
        "losing_value": row.old_value,
        "winning_source": {"id": row.new_source_id, "name": row.new_source.name, "priority": row.new_source.priority},
        "winning_value": row.new_value,
        "difference": difference,
        "won_by": reason,
        "won_by_text": WON_BY_TEXT[reason],
        "release": row.release.number,
        "submission": row.submission_id,
        "explanation": getattr(row, "explanation", None) or "",
    }


def countries_with_conflicts() -> list[dict[str, Any]]:
    """Country codes that have conflicts, with how many, most first."""
    counts: dict[str, int] = {}
    for code, key in conflicts().values_list("location__country_code", "location__key").order_by():
        country = (code or key.split("_", 1)[0]).upper()
        counts[country] = counts.get(country, 0) + 1
    return [{"country": c, "count": n} for c, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def explain(*, row: ObservationHistory, user: Any, explanation: str) -> ConflictExplanation:
    """Record (or replace) a reviewer's explanation of a conflict of their country."""
    if not may_edit(user, row.location):
        raise ExplanationRefused(_("Only reviewers of this country can explain its conflicts."))
    if not explanation.strip():
        raise ExplanationRefused(_("Write the explanation first."))
    note, _created = ConflictExplanation.objects.update_or_create(
        location_id=row.location_id,
        metric_id=row.metric_id,
        date=row.date,
        losing_source_id=row.old_source_id,
        winning_source_id=row.new_source_id,
        defaults={"explanation": explanation.strip()[:4000], "author": user},
    )
    return note


def write_csv(rows: Iterable[ObservationHistory], out: Any) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        item = describe(row)
        writer.writerow(
            [
                escape_formula(cell)
                for cell in (
                    item["date"],
                    item["location"],
                    item["metric"],
                    item["losing_source"]["name"],
                    item["losing_value"],
                    item["winning_source"]["name"],
                    item["winning_value"],
                    item["difference"],
                    item["won_by"],
                    item["release"],
                    item["submission"] or "",
                    item["explanation"],
                )
            ]
        )


def sources_by_priority() -> QuerySet[Source]:
    """The public source priority table: approved and retired sources, highest priority first."""
    return (
        Source.objects.filter(status__in=[Source.Status.APPROVED, Source.Status.RETIRED])
        .select_related("country")
        .order_by("-priority", "name")
    )
