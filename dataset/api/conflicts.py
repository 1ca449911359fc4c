"""/api/v1/conflicts/: values two sources gave differently for one place, metric and date, which one
the dataset kept and why (dataset.conflicts). Filters: country, metric, explained."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from common.pagination import numbered_pages

from .. import conflicts
from ..models import ObservationHistory


class ConflictSourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    priority = serializers.IntegerField()


class ConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The history row that keeps the losing value")
    date = serializers.DateField()
    location = serializers.CharField()
    location_name = serializers.CharField()
    metric = serializers.CharField()
    losing_source = ConflictSourceSerializer()
    losing_value = serializers.FloatField()
    winning_source = ConflictSourceSerializer()
    winning_value = serializers.FloatField()
    difference = serializers.FloatField(help_text="winning_value - losing_value")
    won_by = serializers.ChoiceField(choices=["priority", "override", "newer"])
    release = serializers.IntegerField(help_text="The release in which the winning value replaced the other")
    submission = serializers.IntegerField(allow_null=True)
    explanation = serializers.CharField(help_text="A reviewer's explanation; empty when none")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        item = conflicts.describe(instance)
        item.pop("won_by_text")
        return item


@extend_schema(
    tags=["dataset"],
    parameters=[
        OpenApiParameter("country", OpenApiTypes.STR, description="Country code: conflicts of its places"),
        OpenApiParameter("metric", OpenApiTypes.STR, description="Metric code"),
        OpenApiParameter("explained", OpenApiTypes.BOOL, description="Only explained (true) or unexplained (false)"),
    ],
)
class ConflictViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Conflicts between sources, newest date first."""

    permission_classes = [AllowAny]
    serializer_class = ConflictSerializer
    pagination_class = numbered_pages(page_size=100, max_page_size=1000)
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ObservationHistory]:
        params = self.request.query_params
        explained = {"true": True, "false": False}.get(params.get("explained", "").lower())
        return conflicts.conflicts(
            country=params.get("country", "")[:8], metric=params.get("metric", "")[:40], explained=explained
        )
