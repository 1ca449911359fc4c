"""API for reviewers: approve, reject or request changes on a submission, and read the review queue.

    POST /api/v1/submissions/{id}/approve/          {"version": 2, "comment": "...", "override": false,
                                                     "keep_higher_priority": false}
    POST /api/v1/submissions/{id}/reject/           {"version": 2, "comment": "..."}   (comment required)
    POST /api/v1/submissions/{id}/request-changes/  {"version": 2, "comment": "..."}   (comment required)

Every decision names the version it is about (`version`, or the file's `sha256`, as the submission's
GET shows them): when the submitter has sent another file or mapping since, the answer is 409
(`version_changed`) and nothing is decided. Data of a source that is only proposed answers 409
(`source_not_approved`) until the source proposal is approved; approving a proposal may set the
source's `priority` (default: its institution type's).

Data whose values differ from those of a higher-priority source (the diff's `higher_priority`) needs a
choice, else 409 (`override_required`): `"override": true` lets the upload replace them, and
`"keep_higher_priority": true` approves keeping them (the merge takes every other value and names the
kept ones in the submission's history). The answer's `action.priority_decision` says which was recorded.
    GET  /api/v1/review/queue/                      ?country=IT&kind=data&has_warnings=true...

The same rules as the pages (review.permissions, applied by review.services): reviewers only,
inside their scope, never their own submission; a submission outside your scope answers 404, a
decision in the wrong state 409.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import SECOND_FACTOR_MESSAGE, can_moderate, needs_second_factor
from common.api_errors import Conflict
from common.pagination import offset_pages
from contributions.models import Submission
from places.models import Location

from . import selectors, services
from .forms import QueueFilterForm
from .models import ReviewAction


class IsReviewer(BasePermission):
    message = "Only reviewers can moderate submissions."

    def has_permission(self, request, view):
        if needs_second_factor(request.user):  # a reviewer who has not set up two-factor authentication yet
            self.message, self.code = SECOND_FACTOR_MESSAGE, "second_factor_required"
            return False
        return can_moderate(request.user)


class DecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you reviewed (or give sha256)"
    )
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", required=False, help_text="The SHA-256 of the file you reviewed (or give version)"
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    override = serializers.BooleanField(
        required=False, default=False, help_text="Data: let this upload replace values of higher-priority sources"
    )
    keep_higher_priority = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Data: approve keeping the values of higher-priority sources (the other values are merged)",
    )
    priority = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="Source proposals: the source's priority"
    )

    def validate(self, attrs):
        if "version" not in attrs and "sha256" not in attrs:
            raise serializers.ValidationError(
                {"version": ["Say which version you reviewed: the submission's version (or its sha256)."]}
            )
        if attrs.get("override") and attrs.get("keep_higher_priority"):
            raise serializers.ValidationError(
                {"keep_higher_priority": ["Keep the values of higher-priority sources, or override them: not both."]}
            )
        return attrs


def version_seen(submission: Submission, data: dict) -> int:
    """The version a decision is about: as given, or the one whose file has the given sha256."""
    if "version" in data:
        return data["version"]
    if data["sha256"].lower() == submission.sha256:
        return submission.version
    earlier = submission.earlier_files.filter(sha256=data["sha256"].lower()).order_by("-version").first()
    return earlier.version if earlier else 0


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    comment = serializers.CharField()
    override_priority = serializers.BooleanField()
    priority_decision = serializers.ChoiceField(
        choices=["", *ReviewAction.PriorityDecision.values],
        help_text="An approval of data: override or keep the values of higher-priority sources ('' if none)",
    )
    created_at = serializers.DateTimeField()


class DecisionResultSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    status = serializers.CharField()
    action = ActionSerializer()


class QueueItemSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")  # type: ignore[assignment]  # a field named like Field.source
    source_priority = serializers.IntegerField(source="source.priority")
    country: "serializers.SlugRelatedField[Location]" = serializers.SlugRelatedField(slug_field="key", read_only=True)
    countries = serializers.SerializerMethodField(help_text="The countries of its values (a reviewer must cover all)")
    submitter = serializers.CharField(source="submitter.english_name")
    claimed_by = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "kind",
            "status",
            "source",
            "source_priority",
            "country",
            "countries",
            "version",
            "submitter",
            "created_at",
            "row_count",
            "warning_count",
            "claimed_by",
            "claimed_until",
        ]

    def get_countries(self, submission) -> list[str]:
        return [country.key for country in submission.scope_countries()]

    def get_claimed_by(self, submission) -> str | None:
        holder = selectors.holder(submission)
        return holder.english_name if holder else None


class DecisionView(APIView):
    """One reviewer decision on one submission; the subclass says which."""

    permission_classes = [IsAuthenticated, IsReviewer]
    decision = ""

    def decide(self, *, submission, reviewer, data):
        raise NotImplementedError

    @extend_schema(
        request=DecisionSerializer,
        responses={
            200: DecisionResultSerializer,
            400: OpenApiResponse(description="Comment or version missing"),
            403: OpenApiResponse(description="Your own submission, or not a reviewer"),
            404: OpenApiResponse(description="Not in your scope"),
            409: OpenApiResponse(
                description="Already decided, held by someone else, a choice needed about values of "
                "higher-priority sources (override_required: override or keep_higher_priority), a newer version "
                "(version_changed) or a source not approved yet (source_not_approved)"
            ),
        },
    )
    def post(self, request, pk):
        submission = Submission.objects.in_scope_of(request.user).filter(pk=pk).first()
        if submission is None:
            raise NotFound("No such submission in your review scope.")
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            action = self.decide(submission=submission, reviewer=request.user, data=serializer.validated_data)
        except services.NotAllowed as exc:
            raise PermissionDenied(str(exc))
        except (services.Conflict, services.OverrideRequired) as exc:
            code = {
                services.OverrideRequired: "override_required",
                services.VersionChanged: "version_changed",
                services.SourceNotApproved: "source_not_approved",
            }.get(type(exc), "conflict")
            raise Conflict(str(exc), code=code)
        except services.ReviewError as exc:
            raise ValidationError({"comment": [str(exc)]})
        submission.refresh_from_db()
        return Response(
            {
                "submission": submission.pk,
                "status": submission.status,
                "action": {
                    "id": action.pk,
                    "action": action.action,
                    "comment": action.comment,
                    "override_priority": action.override_priority,
                    "priority_decision": action.priority_decision,
                    "created_at": action.created_at,
                },
            }
        )


class ApproveView(DecisionView):
    def decide(self, *, submission, reviewer, data):
        return services.approve(
            submission=submission,
            reviewer=reviewer,
            comment=data["comment"],
            override=data["override"],
            keep_higher_priority=data["keep_higher_priority"],
            version=version_seen(submission, data),
            priority=data.get("priority"),
        )


class RejectView(DecisionView):
    def decide(self, *, submission, reviewer, data):
        return services.reject(
            submission=submission, reviewer=reviewer, comment=data["comment"], version=version_seen(submission, data)
        )


class RequestChangesView(DecisionView):
    def decide(self, *, submission, reviewer, data):
        return services.request_changes(
            submission=submission, reviewer=reviewer, comment=data["comment"], version=version_seen(submission, data)
        )


class QueueView(APIView):
    """The review queue of the requesting reviewer: oldest first, same filters as the page."""

    permission_classes = [IsAuthenticated, IsReviewer]

    @extend_schema(responses=QueueItemSerializer(many=True))
    def get(self, request):
        params = request.query_params.copy()
        if params.get("has_warnings") in ("true", "1"):
            params["has_warnings"] = "yes"
        elif params.get("has_warnings") in ("false", "0"):
            params["has_warnings"] = "no"
        form = QueueFilterForm(params)
        if not form.is_valid():
            raise ValidationError(
                {
                    # iterating an ErrorList gives its messages (str); the stubs say ValidationError too
                    field: list(messages)  # type: ignore[arg-type]
                    for field, messages in form.errors.items()
                }
            )
        submissions = selectors.queue_for(request.user, **form.filters())
        paginator = offset_pages(default_limit=100)()
        page = paginator.paginate_queryset(submissions, request, view=self)
        return paginator.get_paginated_response(QueueItemSerializer(page, many=True).data)


urlpatterns = [
    path("submissions/<int:pk>/approve/", ApproveView.as_view(), name="submission-approve"),
    path("submissions/<int:pk>/reject/", RejectView.as_view(), name="submission-reject"),
    path("submissions/<int:pk>/request-changes/", RequestChangesView.as_view(), name="submission-request-changes"),
    path("review/queue/", QueueView.as_view(), name="review-queue"),
]
