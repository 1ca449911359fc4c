"""Errata: public notes on a place's values of a metric over a date range, written by its reviewers.

A reviewer whose scope covers the place's country (staff: everywhere) adds, edits or removes them.
They are shown on the location page (a list, and a marker on the charts), in the public list and
its CSV, in the API (/api/v1/errata/) and as errata.csv in each release's files.
"""

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.permissions import can_moderate
from common.spreadsheets import escape_formula
from places.models import Location, Metric

from .models import Erratum, Release

ERRATA_NAME = "errata.csv"
CSV_COLUMNS = [
    "location_key",
    "location_name",
    "metric",
    "kind",
    "start",
    "end",
    "what_is_wrong",
    "source_said",
    "link",
    "created_at",
]


class ErratumRefused(Exception):
    """The user may not write errata for this place."""


def country_key(location: Location) -> str:
    """The key of the country a place is in (its own for a country)."""
    return (location.country_code or location.key.split("_", 1)[0]).upper()


def may_edit(user: Any, location: Location) -> bool:
    """Reviewers of the place's country (or of all countries) and staff write its errata."""
    if not can_moderate(user):
        return False
    scope = getattr(user, "reviewer_scope", None)
    if user.is_staff or (scope is not None and scope.all_countries):
        return True
    return scope is not None and scope.countries.filter(key=country_key(location)).exists()


def public_errata(*, country: str = "", location: str = "", metric: str = "", kind: str = "") -> QuerySet[Erratum]:
    """Errata, newest first by place and date, narrowed by country key, location key, metric code, kind."""
    rows = Erratum.objects.select_related("location", "metric")
    if country:
        code = country.strip().upper()
        rows = rows.filter(Q(location__country_code=code) | Q(location__key=code))
    if location:
        rows = rows.filter(location__key=location.strip())
    if metric:
        rows = rows.filter(metric__code=metric.strip())
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("location__key", "metric__code", "start", "pk")


def for_location(location: Location) -> list[Erratum]:
    """The place's errata, for its page: by metric and date."""
    return list(
        Erratum.objects.filter(location=location).select_related("metric", "author").order_by("metric__code", "start")
    )


def chart_markers(errata: Iterable[Erratum]) -> list[dict[str, Any]]:
    """What the charts draw: one band per erratum on its metric's charts."""
    return [
        {
            "metric": erratum.metric.code,
            "kind": erratum.kind,
            "start": erratum.start.isoformat(),
            "end": erratum.end.isoformat() if erratum.end else None,
            "label": f"{erratum.get_kind_display()}: {erratum.what_is_wrong}"[:300],
        }
        for erratum in errata
    ]


def save(*, erratum: Erratum, user: Any) -> Erratum:
    """Create or update an erratum after checking the user may write errata for its place."""
    if not may_edit(user, erratum.location):
        raise ErratumRefused(_("Only reviewers of this country can write its errata."))
    if erratum.pk is None:
        erratum.author = user
    erratum.full_clean()
    erratum.save()
    return erratum


def delete(*, erratum: Erratum, user: Any) -> None:
    if not may_edit(user, erratum.location):
        raise ErratumRefused(_("Only reviewers of this country can remove its errata."))
    erratum.delete()


def rows(errata: Iterable[Erratum]) -> Iterable[list[str]]:
    for erratum in errata:
        yield [
            erratum.location.key,
            erratum.location.name,
            erratum.metric.code,
            erratum.kind,
            erratum.start.isoformat(),
            erratum.end.isoformat() if erratum.end else "",
            erratum.what_is_wrong,
            erratum.source_said,
            erratum.link,
            erratum.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ]


def write_csv(errata: Iterable[Erratum], out: io.TextIOBase | Any) -> None:
    """The errata as CSV (a header, then one row per erratum); text cells are escaped against formulas."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(errata):
        writer.writerow([escape_formula(cell) for cell in row])


def write_release_file(directory: Path, release: Release) -> Path:
    """errata.csv of a release: the errata recorded when it was published (created up to its time)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ERRATA_NAME
    published = public_errata().filter(created_at__lte=release.created_at)
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(published, out)
    return path


def metric_choices() -> QuerySet[Metric]:
    return Metric.objects.order_by("display_order", "code")
