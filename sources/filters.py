"""The one filter of the sources list, behind the page (/sources/) and the API (/api/v1/sources/).

The API reads it as it is: any country key (or "none"), any metric code, and a value outside a
choice is a 400. The page reads the same filter through its form (forms.SourceFilterForm): menus
of the values the page lists, a search box, and a value it does not offer is ignored on its own
rather than failing the page.
"""

from collections.abc import Iterable
from functools import partial
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict

from places.models import Location

from .forms import INTERNATIONAL, SourceFilterForm
from .models import Source


class SourceFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(
        method="filter_country", help_text="Country key (IT), or 'none' for international sources"
    )
    institution_type = django_filters.ChoiceFilter(choices=Source.InstitutionType.choices)
    status = django_filters.ChoiceFilter(choices=Source.Status.choices)
    metric = django_filters.CharFilter(field_name="metrics__code", distinct=True, help_text="Metric code")

    class Meta:
        model = Source
        fields = ["country", "institution_type", "status", "metric"]

    def filter_country(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        if value.lower() == INTERNATIONAL:
            return queryset.filter(country__isnull=True)
        return queryset.filter(country__key__iexact=value)


class SourceListFilter(SourceFilter):
    """The list page's use of SourceFilter: its form offers `countries` and `statuses` (those the
    visitor may see) and every metric, plus `q`, words found in the name, institution, URL or notes."""

    q = django_filters.CharFilter(method="filter_text")

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Source] | None = None,
        *,
        countries: Iterable[Location] = (),
        statuses: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        self.countries, self.statuses = countries, statuses
        super().__init__(data, queryset, **kwargs)

    def get_form_class(self) -> partial[SourceFilterForm]:
        return partial(SourceFilterForm, countries=self.countries, statuses=self.statuses)

    def filter_text(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(institution__icontains=value)
            | Q(url__icontains=value)
            | Q(notes__icontains=value)
        )
