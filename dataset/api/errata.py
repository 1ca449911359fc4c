"""/api/v1/errata/: the public errata, filtered by country, place, metric, kind and date.

Not cached per release (errata are written between releases); a small table read by index.
"""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from common.pagination import numbered_pages

from .. import errata
from ..models import Erratum


class ErratumSerializer(serializers.ModelSerializer[Erratum]):
    location = serializers.CharField(source="location.key", read_only=True, help_text="Location key, e.g. IT_25")
    location_name = serializers.CharField(source="location.name", read_only=True)
    metric = serializers.CharField(source="metric.code", read_only=True)

    class Meta:
        model = Erratum
        fields = [
            "id",
            "location",
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
        read_only_fields = fields


class ErratumFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="Country code: errata of its places")
    location = django_filters.CharFilter(field_name="location__key", help_text="Location key, e.g. IT_25")
    metric = django_filters.CharFilter(field_name="metric__code", help_text="Metric code, e.g. confirmed")
    kind = django_filters.ChoiceFilter(choices=Erratum.Kind.choices)
    date = django_filters.DateFilter(method="filter_date", help_text="Errata concerning this date (YYYY-MM-DD)")

    class Meta:
        model = Erratum
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Erratum], name: str, value: str) -> QuerySet[Erratum]:
        code = value.strip().upper()
        return queryset.filter(Q(location__country_code=code) | Q(location__key=code))

    def filter_date(self, queryset: QuerySet[Erratum], name: str, value: datetime.date) -> QuerySet[Erratum]:
        return queryset.filter(Q(start__lte=value) & (Q(end__isnull=True) | Q(end__gte=value)))


@extend_schema(tags=["dataset"])
class ErratumViewSet(viewsets.ReadOnlyModelViewSet):
    """Known problems in the values of a place and metric over a range of dates (corrections, and
    series no longer reported from a date on). Also in each release's files as errata.csv."""

    permission_classes = [AllowAny]
    serializer_class = ErratumSerializer
    filterset_class = ErratumFilter
    pagination_class = numbered_pages(page_size=100, max_page_size=1000)

    def get_queryset(self) -> QuerySet[Erratum]:
        return errata.public_errata()
