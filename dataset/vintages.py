"""Vintages: the canonical values as they were published in a past release, from Observation + history.

Every (location, metric, date) that ever had a value still has its Observation row (values are
replaced, never deleted), so a vintage is the Observation table with, per row, either its current
value (it last changed in a release <= N) or the value it had before the first change after N,
which is the `old_value` of the one history row with `release > N` and `old_release <= N`.
Rows first added after N have no such history row and drop out. All of this is one SQL statement
(a CASE plus an indexed correlated lookup on history only for rows changed after N), so it works
the same on SQLite and PostgreSQL and composes with any filter or pagination on the queryset.
"""

from datetime import date, datetime, time

from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone

from places.models import Location, Metric

from . import ended
from .models import Observation, ObservationHistory, Release
from .series import MetricSeries, group_points, make_series

# Annotations every observations queryset of the API carries: the value, source and release
# number as of the requested vintage (the current ones when no vintage is asked for).
VALUE, SOURCE, RELEASE = "v_value", "v_source_id", "v_release"


class UnknownVintage(ValueError):
    """`as_of` names no release (a number that was never published, or a date before the first)."""


def resolve_release(as_of: str | int | date) -> Release:
    """The release an `as_of` parameter means: a release number, or a date (YYYY-MM-DD) meaning
    the last release created on or before the end of that day (UTC)."""
    if isinstance(as_of, date):
        day = as_of
    else:
        text = str(as_of).strip()
        if text.isdigit():
            release = Release.objects.filter(number=int(text)).first()
            if release is None:
                raise UnknownVintage(f"There is no release number {text}.")
            return release
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise UnknownVintage(f"as_of must be a release number or a date (YYYY-MM-DD), not {text!r}.")
    end_of_day = timezone.make_aware(datetime.combine(day, time.max), timezone.get_current_timezone())
    release = Release.objects.filter(created_at__lte=end_of_day).order_by("-number").first()
    if release is None:
        raise UnknownVintage(f"No release had been published on or before {day.isoformat()}.")
    return release


def current(queryset: QuerySet[Observation]) -> QuerySet[Observation]:
    """The latest values, annotated the same way as a vintage so callers read one set of names."""
    return queryset.annotate(**{VALUE: F("value"), SOURCE: F("source_id"), RELEASE: F("release__number")})


def as_of(queryset: QuerySet[Observation], release: Release) -> QuerySet[Observation]:
    """Restrict `queryset` to the values published in `release` and annotate them as they were then."""
    number = release.number
    replaced = ObservationHistory.objects.filter(
        location_id=OuterRef("location_id"),
        metric_id=OuterRef("metric_id"),
        date=OuterRef("date"),
        release__number__gt=number,
        old_release__number__lte=number,
    ).order_by("release__number")
    then = Q(release__number__lte=number)

    def pick(current_column, old_column, output_field):
        return Case(
            When(then, then=F(current_column)),
            default=Subquery(replaced.values(old_column)[:1]),
            output_field=output_field,
        )

    return queryset.filter(then | Exists(replaced)).annotate(
        **{
            VALUE: pick("value", "old_value", FloatField()),
            SOURCE: pick("source_id", "old_source_id", IntegerField()),
            RELEASE: pick("release__number", "old_release__number", IntegerField()),
        }
    )


def location_series(location: Location, release: Release) -> list[MetricSeries]:
    """The location page's series (selectors.location_series) as published in `release`.

    Like the current page, a location without series of its own shows the sum of its regions.
    """
    metrics = {m.pk: m for m in Metric.objects.all()}
    own = as_of(Observation.objects.filter(location=location), release)
    points = group_points(own.order_by("metric_id", "date").values_list("metric_id", "date", VALUE))
    summed = 0
    if not points:
        regions = Location.objects.filter(parent=location)
        with_data = as_of(Observation.objects.filter(location__in=regions), release)
        summed = with_data.values("location_id").distinct().count()
        if summed:
            totals = with_data.values("metric_id", "date").annotate(total=Sum(VALUE)).order_by("metric_id", "date")
            points = group_points(totals.values_list("metric_id", "date", "total"))
    ends = {metric_id: start for (_, metric_id), start in ended.end_dates([location.pk]).items()}
    return make_series(metrics, points, dict.fromkeys(points, summed), ends)
