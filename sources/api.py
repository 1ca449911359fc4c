"""API for the sources registry: GET /api/v1/sources/ (public) and POST /api/v1/sources/ (proposals)."""
import contextlib

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.decorators import has_verified_email
from common.pagination import numbered_pages
from places.models import Location, Metric

from . import services
from .models import Source
from .visibility import can_view_source, visible_sources


class SourceSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    subregion = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    metrics = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    proposed_by = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    is_failing = serializers.BooleanField(read_only=True)
    page = serializers.SerializerMethodField(help_text="The source's page on this site")

    class Meta:
        model = Source
        fields = [
            "id", "name", "institution", "institution_type", "country", "subregion", "url", "data_format",
            "cadence", "licence", "attribution", "metrics", "priority", "status", "notes", "proposed_by",
            "approved_by", "created_at", "last_checked_at", "last_check_status", "is_failing", "page",
        ]
        read_only_fields = fields

    def get_proposed_by(self, source) -> str | None:
        return source.proposed_by.display_name if source.proposed_by else None

    def get_approved_by(self, source) -> str | None:
        return source.approved_by.display_name if source.approved_by else None

    def get_page(self, source) -> str:
        request = self.context.get("request")
        path = source.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class SourceProposalSerializer(serializers.Serializer):
    """The shape of a proposal; services.propose_source decides whether it is accepted."""

    name = serializers.CharField(max_length=200)
    institution = serializers.CharField(max_length=200)
    institution_type = serializers.ChoiceField(choices=Source.InstitutionType.choices)
    country = serializers.SlugRelatedField(
        slug_field="key", queryset=Location.objects.filter(level=Location.Level.COUNTRY), required=False,
        allow_null=True, help_text="ISO 3166-1 alpha-2 code; omit for international sources",
        error_messages={"does_not_exist": "Unknown country “{value}”: use an ISO 3166-1 alpha-2 code such as IT."},
    )
    subregion = serializers.SlugRelatedField(
        slug_field="key", queryset=Location.objects.filter(level__in=[Location.Level.REGION, Location.Level.SUBREGION]),
        required=False, allow_null=True, help_text="Region key such as IT_25",
        error_messages={"does_not_exist": "Unknown region “{value}”: use a region key such as IT_25."},
    )
    url = serializers.URLField(max_length=500)
    data_format = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    cadence = serializers.ChoiceField(choices=Source.Cadence.choices, default=Source.Cadence.DAILY)
    licence = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attribution = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    metrics = serializers.SlugRelatedField(
        slug_field="code", queryset=Metric.objects.all(), many=True, required=False, default=list,
        error_messages={"does_not_exist": "Unknown metric “{value}”: see /api/v1/metrics/ for the codes."},
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                    help_text="Message to reviewers")


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

    def filter_country(self, queryset, name, value):
        if value.lower() == "none":
            return queryset.filter(country__isnull=True)
        return queryset.filter(country__key__iexact=value)


class SourceSearchFilter(filters.SearchFilter):
    search_description = "Words to find in the source's name, institution, URL or notes"


class CanProposeSource(BasePermission):
    """Anyone reads; proposing takes a verified email and a finished volunteer profile."""

    message = "Only volunteers with a verified email address and a completed profile can propose sources."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and has_verified_email(user)):
            return False
        profile = getattr(user, "profile", None)
        return profile is not None and profile.is_complete


class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Official data sources. Anonymous users and volunteers see approved sources (and their own
    proposals); reviewers and staff see every status. Verified volunteers POST to propose one."""

    permission_classes = [CanProposeSource]
    filterset_class = SourceFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, SourceSearchFilter]
    search_fields = ["name", "institution", "url", "notes"]
    pagination_class = numbered_pages(page_size=100, max_page_size=500)

    def get_queryset(self):
        sources = visible_sources(self.request.user, public_statuses=(Source.Status.APPROVED,))
        return sources.select_related("country", "subregion", "proposed_by__profile", "approved_by__profile") \
            .prefetch_related("metrics").order_by("-priority", "name")

    def get_serializer_class(self):
        return SourceProposalSerializer if self.action == "create" else SourceSerializer

    @extend_schema(
        request=SourceProposalSerializer,
        responses={
            201: SourceSerializer,
            400: OpenApiResponse(description="Invalid fields"),
            409: OpenApiResponse(description="The URL is already registered; `existing` names that source"),
            429: OpenApiResponse(description="Daily proposal limit reached"),
        },
    )
    def create(self, request, *args, **kwargs):
        proposal = SourceProposalSerializer(data=request.data)
        proposal.is_valid(raise_exception=True)
        try:
            submission = services.propose_source(proposer=request.user, **proposal.validated_data)
        except services.DuplicateSource as error:
            return Response(self._duplicate_body(error), status=status.HTTP_409_CONFLICT)
        except services.TooManyProposals as error:
            raise Throttled(wait=error.retry_after, detail=str(error))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict)
        source = submission.source
        body = SourceSerializer(source, context=self.get_serializer_context()).data
        body["submission"] = {"id": submission.pk, "kind": submission.kind, "status": submission.status}
        with contextlib.suppress(NoReverseMatch):  # the submissions endpoint lives in contributions
            body["submission"]["url"] = request.build_absolute_uri(
                reverse("submission-detail", kwargs={"pk": submission.pk})
            )
        location = request.build_absolute_uri(reverse("source-detail", kwargs={"pk": source.pk}))
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def _duplicate_body(self, error: services.DuplicateSource) -> dict:
        existing = error.existing
        body = {
            "status": status.HTTP_409_CONFLICT, "code": "duplicate_source", "detail": str(error),
            "existing": {"id": existing.pk, "name": existing.name, "status": existing.status},
        }
        if can_view_source(self.request.user, existing):
            body["existing"]["page"] = self.request.build_absolute_uri(existing.get_absolute_url())
        return body
