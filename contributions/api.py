"""API for data uploads: POST a file, then follow its status, report and diff; PATCH its column
mapping (contributions.services.set_mapping, as the mapping page) to have it checked again."""

import json
from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import FINISH_PROFILE_MESSAGE, can_upload, has_verified_email
from common.api_errors import Conflict
from common.pagination import numbered_pages
from places.models import Location
from sources.models import Source

from . import services
from .contracts import MAPPING_KEYS, ColumnMapping
from .forms import sources_open_for_upload
from .mapping import place_mapping
from .models import Submission
from .upload_limit import UploadRateThrottle


class IsVerifiedVolunteer(permissions.BasePermission):
    """Reading takes a verified email; uploading takes `can_upload`, the upload page's rule (a finished
    volunteer profile too; reviewers and staff are exempt)."""

    message = "A verified account is needed: confirm your email address first."

    def has_permission(self, request, view) -> bool:
        if not has_verified_email(request.user):
            return False
        if getattr(view, "action", None) == "create" and not can_upload(request.user):
            self.message = FINISH_PROFILE_MESSAGE
            return False
        return True


class SubmissionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    source = serializers.PrimaryKeyRelatedField[Source](read_only=True)  # type: ignore[assignment]  # a field named like Field.source
    source_name = serializers.CharField(source="source.name", read_only=True)
    country = serializers.SlugRelatedField[Location](slug_field="key", read_only=True, allow_null=True)
    submitter = serializers.CharField(source="submitter.english_name", read_only=True)
    countries = serializers.SerializerMethodField(
        help_text="The countries of its values once validated (before: its country); reviewers must cover all"
    )
    place_mapping = serializers.SerializerMethodField(
        help_text="What the applied column mapping says about places (constant place, names sent elsewhere, "
        "summing unknown sub-places); empty when it does not touch places"
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "progress",
            "progress_message",
            "source",
            "source_name",
            "country",
            "countries",
            "submitter",
            "original_filename",
            "file_size",
            "sha256",
            "duplicate_of",
            "version",
            "layout",
            "mapping",
            "place_mapping",
            "row_count",
            "error_count",
            "warning_count",
            "report",
            "diff",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_countries(self, obj) -> list[str]:
        return [country.key for country in obj.scope_countries()]

    def get_place_mapping(self, obj) -> dict[str, Any]:
        return place_mapping(obj.report)

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


@extend_schema_field({"type": "string", "description": "A JSON object, as text", "example": '{"layout": "long"}'})
class JSONObjectField(serializers.Field):
    """A JSON object given as a form field (multipart uploads cannot nest objects)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            return data
        try:
            value = json.loads(data)
        except (TypeError, ValueError):
            raise serializers.ValidationError('Must be a JSON object, e.g. {"layout": "long"}.')
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return value

    def to_representation(self, value):
        return value


def check_mapping_keys(mapping: dict) -> ColumnMapping:
    """Refuse a mapping with keys we do not know (a misspelt key would otherwise be ignored)."""
    unknown = sorted(str(key) for key in set(mapping) - MAPPING_KEYS)
    if unknown:
        raise serializers.ValidationError(
            f"Unknown mapping keys: {', '.join(unknown)}. The keys are: {', '.join(sorted(MAPPING_KEYS))} "
            "(see docs/api.md)."
        )
    return cast(ColumnMapping, mapping)


MAPPING_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": "The new column mapping; it replaces the one the submission had (keys: see docs/api.md). "
    "null for a key clears what the source's recipe gives it; use_recipe: false leaves the recipe out.",
    "example": {"layout": "wide_metric", "date_column": "data", "metrics": {"deceduti": "deaths"}},
}
# PATCH bodies are documented as partial (nothing required); this one needs its mapping.
MAPPING_PATCH_SCHEMA = {"type": "object", "required": ["mapping"], "properties": {"mapping": MAPPING_SCHEMA}}


class SubmissionMappingSerializer(serializers.Serializer):
    mapping = JSONObjectField()

    def validate_mapping(self, value: dict) -> ColumnMapping:
        return check_mapping_keys(value)


class SubmissionCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, TSV, XLSX or JSON records")
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]  # a field named like Field.source
        queryset=Source.objects.none(), help_text="Id of an approved source"
    )
    layout = serializers.ChoiceField(choices=["long", "wide_metric", "wide_date", "wide_place"], required=False)
    mapping = JSONObjectField(required=False, help_text="Column mapping as a JSON object (see docs/api.md)")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            cast(serializers.PrimaryKeyRelatedField, self.fields["source"]).queryset = sources_open_for_upload(
                request.user
            )

    def validate_mapping(self, value: dict) -> ColumnMapping:
        return check_mapping_keys(value)


class SubmissionViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Volunteers see their own submissions; reviewers and staff also those in their scope. The
    submitter may change the column mapping (PATCH) until a reviewer decides."""

    permission_classes = [IsVerifiedVolunteer]
    serializer_class = SubmissionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = numbered_pages(page_size=50, max_page_size=200)

    def get_throttles(self):
        if self.action == "create":  # one limit per user shared with the upload and replace pages
            return [UploadRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return (
            Submission.objects.visible_to(self.request.user)
            .select_related("source", "country", "submitter")
            .prefetch_related("countries")
        )

    @extend_schema(
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={
            201: SubmissionSerializer,
            400: OpenApiResponse(description="Invalid request"),
            429: OpenApiResponse(description="Too many uploads"),
        },
    )
    def create(self, request, *args, **kwargs):
        incoming = SubmissionCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        mapping = data.get("mapping") or {}
        if data.get("layout"):
            mapping = {**mapping, "layout": data["layout"]}
        try:
            submission = services.create_upload(
                submitter=request.user,
                source=data["source"],
                uploaded=data["file"],
                comment=data.get("comment", ""),
                layout=data.get("layout", ""),
                mapping=mapping or None,
            )
        except services.UploadRefused as exc:
            raise ValidationError({"file": [str(exc)]})
        submission.refresh_from_db()
        body = SubmissionSerializer(submission, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})

    @extend_schema(
        request={"application/json": MAPPING_PATCH_SCHEMA},
        responses={
            200: SubmissionSerializer,
            400: OpenApiResponse(description="Unknown mapping keys, or not a JSON object"),
            403: OpenApiResponse(description="Not the submitter"),
            404: OpenApiResponse(description="No such submission that you may see"),
            409: OpenApiResponse(description="Being checked, or already decided: it cannot be changed now"),
        },
        summary="Change the column mapping and check the file again",
        description="Sets the submission's column mapping (the one given replaces the earlier one) and validates "
        "the file again with it, as the mapping page does: the answer is the submission, `validating` until the "
        "check ends. Only its submitter, until a reviewer decides; a reviewer holding it loses the claim.",
    )
    def partial_update(self, request, *args, **kwargs):
        submission = self.get_object()
        if submission.submitter_id != request.user.pk:
            raise PermissionDenied("Only the submitter can change a submission's mapping.")
        incoming = SubmissionMappingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            submission = services.set_mapping(
                submission=submission, user=request.user, mapping=incoming.validated_data["mapping"]
            )
        except services.UploadRefused as exc:
            raise Conflict(str(exc), code="not_editable")
        submission.refresh_from_db()
        return Response(SubmissionSerializer(submission, context={"request": request}).data)
