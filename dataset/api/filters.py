"""Query parameters of the dataset API: location and observation filters, and the ordering of observations.

An unknown location key or metric code is a 400 that names it, never an empty answer. Observations
are filtered by key and code inside the one query that reads them; the view then asks the filter to
refuse the keys and codes that no row answered and the database does not know (a series that has
values answers for its own key: no lookup query).
"""

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
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

    locations: list[str]
    metrics: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations, self.metrics = [], []

    def filter_location(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        self.locations = keys = [key.upper() for key in split_list(value)]
        if self.form.cleaned_data.get("include_subregions"):
            inside = Location.objects.filter(
                Q(key__in=keys) | Q(parent__key__in=keys) | Q(parent__parent__key__in=keys)
            )
            return queryset.filter(location__in=inside.values("pk"))
        return queryset.filter(location__key__in=keys)

    def filter_metric(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        self.metrics = codes = [code.lower() for code in split_list(value)]
        return queryset.filter(metric__code__in=codes)

    def refuse_unknown(self, rows: Iterable[tuple[Any, ...]], location_column: int, metric_column: int) -> None:
        """ValidationError naming the requested keys and codes that do not exist. Those that answered
        in `rows` (the first rows read) exist; only the others are looked up."""
        seen_locations, seen_metrics = set(), set()
        for row in rows:
            seen_locations.add(row[location_column])
            seen_metrics.add(row[metric_column])
        unseen = [key for key in self.locations if key not in seen_locations]
        if unseen:
            _ids_of(Location, "key", unseen, refusal=("location", "Unknown location key: {}."))
        unseen = [code for code in self.metrics if code not in seen_metrics]
        if unseen:
            _ids_of(Metric, "code", unseen, refusal=("metric", "Unknown metric: {}. See /api/v1/metrics/."))

    def filter_source(self, queryset: QuerySet[Observation], name: str, value: int) -> QuerySet[Observation]:
        return queryset.filter(**{vintages.SOURCE: value})


class ObservationFilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, leaving the ObservationFilter it used on the view
    (`view.observation_filter`) so the view can call its `refuse_unknown` once rows are read."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        view.observation_filter = filterset
        return filterset.qs


ORDERINGS = {"date": ("date", "location_id", "metric_id"), "-date": ("-date", "-location_id", "-metric_id")}


def requested_ordering(request: Request) -> tuple[str, ...]:
    value = request.query_params.get("ordering", "date")
    if value not in ORDERINGS:
        raise ValidationError({"ordering": ["Use ordering=date or ordering=-date."]})
    return ORDERINGS[value]
