"""Query parameters of the dataset API: location and observation filters, and the ordering of observations.

An unknown location key or metric code is a 400 that names it, never an empty answer.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from places.models import Location, Metric

from .. import vintages
from ..models import Observation
from ..selectors import search_locations


class ListWidget(forms.TextInput):
    """Reads `?x=a,b` and `?x=a&x=b` alike, as one comma-separated text."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(v for v in values if v) or None


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class LocationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Location.Level.choices)
    parent = django_filters.CharFilter(field_name="parent__key", help_text="Key of the parent location, e.g. IT")
    country = django_filters.CharFilter(
        field_name="country_code",
        lookup_expr="iexact",
        help_text="ISO 3166-1 alpha-2 code of the country the locations are in",
    )
    search = django_filters.CharFilter(method="filter_search", help_text="Part of a name or alias, or a key")

    class Meta:
        model = Location
        fields = ["level", "parent", "country", "search"]

    def filter_search(self, queryset: QuerySet[Location], name: str, value: str) -> QuerySet[Location]:
        return search_locations(queryset, value)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def named(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _ids_of(
    model: type[Location] | type[Metric], field: str, values: list[str], *, refusal: tuple[str, str]
) -> list[int]:
    """The primary keys of the `model` rows whose `field` is one of `values`; a value that names no row
    is refused: ValidationError on the parameter `refusal[0]` with the message `refusal[1]` naming them."""
    found = dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "pk"))
    unknown = [value for value in values if value not in found]
    if unknown:
        param, message = refusal
        raise ValidationError({param: [message.format(named(unknown))]})
    return list(found.values())


class ObservationFilter(django_filters.FilterSet):
    location = django_filters.CharFilter(
        method="filter_location",
        widget=ListWidget,
        help_text="One or several location keys: `location=IT,DE` or `location=IT&location=DE`",
    )
    include_subregions = django_filters.BooleanFilter(
        method="filter_nothing", help_text="With `location`, also every region and subregion inside it"
    )
    metric = django_filters.CharFilter(
        method="filter_metric", widget=ListWidget, help_text="One or several metric codes: `metric=confirmed,deaths`"
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="First date (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="Last date (YYYY-MM-DD)")
    source = IntegerFilter(method="filter_source", help_text="Source id (see sources/)")
    as_of = django_filters.CharFilter(
        method="filter_nothing",
        help_text="A release number, or a date (YYYY-MM-DD) meaning the last release made on or before it: "
        "values as they were published then",
    )

    class Meta:
        model = Observation
        fields = ["location", "include_subregions", "metric", "date_from", "date_to", "source", "as_of"]

    def filter_nothing(self, queryset: QuerySet[Observation], name: str, value) -> QuerySet[Observation]:
        """Read by other filters (include_subregions) or by the view (as_of). `value` stays unannotated:
        drf-spectacular would document the annotation instead of each filter's own type."""
        return queryset

    def filter_location(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        ids = _ids_of(
            Location,
            "key",
            [key.upper() for key in split_list(value)],
            refusal=("location", "Unknown location key: {}."),
        )
        if self.form.cleaned_data.get("include_subregions"):
            inside = Location.objects.filter(Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids))
            return queryset.filter(location__in=inside.values("pk"))
        return queryset.filter(location_id__in=ids)

    def filter_metric(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        ids = _ids_of(
            Metric,
            "code",
            [code.lower() for code in split_list(value)],
            refusal=("metric", "Unknown metric: {}. See /api/v1/metrics/."),
        )
        return queryset.filter(metric_id__in=ids)

    def filter_source(self, queryset: QuerySet[Observation], name: str, value: int) -> QuerySet[Observation]:
        return queryset.filter(**{vintages.SOURCE: value})


ORDERINGS = {"date": ("date", "location_id", "metric_id"), "-date": ("-date", "-location_id", "-metric_id")}


def requested_ordering(request: Request) -> tuple[str, ...]:
    value = request.query_params.get("ordering", "date")
    if value not in ORDERINGS:
        raise ValidationError({"ordering": ["Use ordering=date or ordering=-date."]})
    return ORDERINGS[value]
