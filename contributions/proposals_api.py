"""API for proposing a source: POST /api/v1/sources/ on the sources registry's read-only viewset.

A proposal is a submission (contributions.proposals), so the endpoint lives here, above sources;
GET stays as sources.api serves it.
"""

from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import can_propose_source
from common.api_errors import Conflict
from places.models import Location, Metric
from sources import api as sources_api
from sources.models import Source
from sources.services import DuplicateSource
from sources.visibility import HIDDEN_DUPLICATE, can_view_source

from . import proposals


class SourceProposalSerializer(serializers.Serializer):
    """The shape of a proposal; services.propose_source decides whether it is accepted."""

    name = serializers.CharField(max_length=200)
    institution = serializers.CharField(max_length=200)
    institution_type = serializers.ChoiceField(choices=Source.InstitutionType.choices)
    country = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Location.objects.filter(level=Location.Level.COUNTRY),
        required=False,
        allow_null=True,
        help_text="ISO 3166-1 alpha-2 code; omit for international sources",
        error_messages={"does_not_exist": "Unknown country “{value}”: use an ISO 3166-1 alpha-2 code such as IT."},
    )
    subregion = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Location.objects.filter(level__in=[Location.Level.REGION, Location.Level.SUBREGION]),
        required=False,
        allow_null=True,
        help_text="Region key such as IT_25",
        error_messages={"does_not_exist": "Unknown region “{value}”: use a region key such as IT_25."},
    )
    url = serializers.URLField(max_length=500)
    data_format = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    cadence = serializers.ChoiceField(choices=Source.Cadence.choices, default=Source.Cadence.DAILY)
    licence = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attribution = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    metrics = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Metric.objects.all(),
        many=True,
        required=False,
        default=list,
        error_messages={"does_not_exist": "Unknown metric “{value}”: see /api/v1/metrics/ for the codes."},
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Message to reviewers"
    )


class CanProposeSource(BasePermission):
    """Anyone reads; proposing follows the proposal page's rule (accounts.permissions.can_propose_source)."""

    message = "Only volunteers with a verified email address and a completed profile can propose sources."

    def has_permission(self, request: Request, view: object) -> bool:
        return request.method in SAFE_METHODS or can_propose_source(request.user)


class SourceViewSet(mixins.CreateModelMixin, sources_api.SourceViewSet):
    """Official data sources. Anonymous users and volunteers see approved sources (and their own
    proposals); reviewers and staff see every status. Verified volunteers POST to propose one."""

    permission_classes = [CanProposeSource]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SourceProposalSerializer if self.action == "create" else sources_api.SourceSerializer

    @extend_schema(
        request=SourceProposalSerializer,
        responses={
            201: sources_api.SourceSerializer,
            400: OpenApiResponse(description="Invalid fields"),
            409: OpenApiResponse(description="The URL is already registered; `existing` names that source"),
            429: OpenApiResponse(description="Daily proposal limit reached"),
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        proposal = SourceProposalSerializer(data=request.data)
        proposal.is_valid(raise_exception=True)
        try:
            proposer = cast(User, request.user)  # CanProposeSource let only a signed-in volunteer through
            submission = proposals.propose_source(proposer=proposer, **proposal.validated_data)
        except DuplicateSource as error:
            if not can_view_source(request.user, error.existing):
                raise Conflict(HIDDEN_DUPLICATE, code="duplicate_source")
            raise Conflict(str(error), code="duplicate_source", existing=self._existing(error.existing))
        except proposals.TooManyProposals as error:
            raise Throttled(wait=error.retry_after, detail=str(error))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict)
        source = submission.source
        body = sources_api.SourceSerializer(source, context=self.get_serializer_context()).data
        body["submission"] = {"id": submission.pk, "kind": submission.kind, "status": submission.status}
        body["submission"]["url"] = request.build_absolute_uri(
            reverse("submission-detail", kwargs={"pk": submission.pk})
        )
        location = request.build_absolute_uri(reverse("source-detail", kwargs={"pk": source.pk}))
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def _existing(self, existing: Source) -> dict:
        """The registered source a duplicate proposal names in its 409 (only one the proposer may see)."""
        return {
            "id": existing.pk,
            "name": existing.name,
            "status": existing.status,
            "page": self.request.build_absolute_uri(existing.get_absolute_url()),
        }
