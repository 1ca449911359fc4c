"""API for the sources registry: reading /api/v1/sources/ (public, filtered by filters.SourceFilter).

Proposing a source (POST) makes a submission, so contributions.proposals_api adds it to this
viewset, and portal.api_v1 registers that one.
"""

import django_filters
from django.db.models import QuerySet
from rest_framework import filters, mixins, serializers, viewsets

from common.pagination import numbered_pages
from places.models import Location, Metric

from .filters import SourceFilter
from .models import Source
from .visibility import visible_sources


class SourceSerializer(serializers.ModelSerializer[Source]):
    country: "serializers.SlugRelatedField[Location]" = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )
    subregion: "serializers.SlugRelatedField[Location]" = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )
    metrics: "serializers.SlugRelatedField[Metric]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    proposed_by = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    is_failing = serializers.BooleanField(read_only=True)
    page = serializers.SerializerMethodField(help_text="The source's page on this site")

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "institution",
            "institution_type",
            "country",
            "subregion",
            "url",
            "data_format",
            "cadence",
            "licence",
            "attribution",
            "metrics",
            "priority",
            "status",
            "notes",
            "proposed_by",
            "approved_by",
            "created_at",
            "last_checked_at",
            "last_check_status",
            "is_failing",
            "page",
        ]
        read_only_fields = fields

    def get_proposed_by(self, source: Source) -> str | None:
        return source.proposed_by.english_name if source.proposed_by else None

    def get_approved_by(self, source: Source) -> str | None:
        return source.approved_by.english_name if source.approved_by else None

    def get_page(self, source: Source) -> str:
        request = self.context.get("request")
        path = source.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class SourceSearchFilter(filters.SearchFilter):
    search_description = "Words to find in the source's name, institution, URL or notes"


class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Source]):
    """Official data sources, read only. Anonymous users and volunteers see approved sources (and
    their own proposals); reviewers and staff see every status."""

    filterset_class = SourceFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, SourceSearchFilter]
    search_fields = ["name", "institution", "url", "notes"]
    pagination_class = numbered_pages(page_size=100, max_page_size=500)

    def get_queryset(self) -> QuerySet[Source]:
        sources = visible_sources(self.request.user, public_statuses=(Source.Status.APPROVED,))
        return (
            sources.select_related("country", "subregion", "proposed_by__profile", "approved_by__profile")
            .prefetch_related("metrics")
            .order_by("-priority", "name")
        )
