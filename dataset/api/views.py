"""Views of the dataset's public read API: locations/, metrics/, releases/, observations/ (JSON and CSV).

Everything here is public data: anyone may read, nobody writes through these endpoints. Responses
depend only on the URL, the format and the latest release, so they carry ETag / Last-Modified and
are cached per release (caching.py). Observations come as cursor-paginated JSON or as a streamed
CSV that never builds the whole body in memory (streaming.py).
"""

from typing import Any, cast

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from common.pagination import CursorPages, cursor_pages, numbered_pages
from places.models import Location, Metric

from .. import vintages
from ..models import Observation, Release
from .caching import ReleaseCacheMixin
from .filters import ORDERINGS, LocationFilter, ObservationFilter, requested_ordering
from .openapi import CONFIRMED, ERRORS, LOMBARDY, OBSERVATION_PARAMETERS, RELEASE_12, example, read_schema
from .serializers import (
    OBSERVATION_FIELDS,
    LocationSerializer,
    MetricSerializer,
    ObservationSerializer,
    ReleaseSerializer,
    observation_rows,
)
from .streaming import CSV_COLUMNS, CSVRenderer, stream_csv, streamed_rows


class PublicReadViewSet(ReleaseCacheMixin, viewsets.ReadOnlyModelViewSet):
    """Anyone reads; list and retrieve are cached per release (a cached answer is an HttpResponse, not
    a DRF Response: hence the wider return type than ReadOnlyModelViewSet's)."""

    permission_classes = [AllowAny]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        return self.cached_or_none(request) or super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if "\x00" in str(kwargs.get(self.lookup_url_kwarg or self.lookup_field or "pk", "")):
            raise NotFound()  # no key holds a NUL, and PostgreSQL refuses one in a query
        return self.cached_or_none(request) or super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["dataset"])
@read_schema(
    LocationSerializer,
    listed=example("Regions of Italy", [LOMBARDY]),
    one=example("Lombardy", LOMBARDY),
    list_errors=ERRORS,
)
class LocationViewSet(PublicReadViewSet):
    """Countries, regions and subregions with their keys (IT, IT_25, US_CA_06037)."""

    queryset = Location.objects.select_related("parent").order_by("key")
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    pagination_class = numbered_pages(page_size=100, max_page_size=1000)
    lookup_field = "key"
    lookup_value_regex = "[^/]+"


@extend_schema(tags=["dataset"])
@read_schema(
    MetricSerializer,
    listed=example("Metrics", [CONFIRMED]),
    one=example("Confirmed cases", CONFIRMED),
    list_errors={429: ERRORS[429]},
)
class MetricViewSet(PublicReadViewSet):
    """What is counted: confirmed cases, deaths, tests... with the kind of series (cumulative or daily)."""

    queryset = Metric.objects.all()
    serializer_class = MetricSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "code"


@extend_schema(tags=["dataset"])
@read_schema(
    ReleaseSerializer,
    listed=example("Releases", [RELEASE_12]),
    one=example("Release 12", RELEASE_12),
    list_errors={429: ERRORS[429]},
)
class ReleaseViewSet(PublicReadViewSet):
    """Numbered, citable states of the dataset, newest first, with counts, changelog and export files."""

    queryset = Release.objects.prefetch_related("files__release").order_by("-number")
    serializer_class = ReleaseSerializer
    pagination_class = numbered_pages(page_size=50, max_page_size=500)
    filter_backends = []
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


@extend_schema(tags=["dataset"])
class ObservationViewSet(ReleaseCacheMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Values of the canonical dataset, each with its source and the release in which it last changed.

    JSON pages are linked by `next` / `previous` cursors; `?format=csv` (or `Accept: text/csv`)
    streams all matching values at once, readable by `pandas.read_csv(url)`.
    """

    permission_classes = [AllowAny]
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    # Stable pages over a changing table: a cursor on date (ties broken by location and metric).
    pagination_class = cursor_pages(page_size=1000, max_page_size=10000, ordering=ORDERINGS["date"])
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get_queryset(self) -> QuerySet[Observation]:
        observations = Observation.objects.all()
        as_of = self.request.query_params.get("as_of", "").strip()
        if not as_of:
            return vintages.current(observations)
        try:
            release = vintages.resolve_release(as_of)
        except vintages.UnknownVintage as error:
            raise ValidationError({"as_of": [str(error)]})
        return vintages.as_of(observations, release)

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """Errors are JSON even when CSV was asked for: a CSV body cannot say what went wrong."""
        if (
            response.status_code >= 400
            and getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "csv"
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=OBSERVATION_PARAMETERS,
        responses={
            (200, "application/json"): ObservationSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Columns: " + ", ".join(CSV_COLUMNS)),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "Italy, confirmed cases",
                response_only=True,
                status_codes=["200"],
                media_type="application/json",
                value=[
                    {
                        "date": "2020-03-01",
                        "location": "IT",
                        "metric": "confirmed",
                        "value": 1694.0,
                        "source": 3,
                        "release": 1,
                    }
                ],
            )
        ],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        cached = self.cached_or_none(request)
        if cached is not None:
            return cached
        ordering = requested_ordering(request)
        observations = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            return stream_csv(streamed_rows(observations.order_by(*ordering).values_list(*OBSERVATION_FIELDS)))
        cast(CursorPages, self.paginator).ordering = ordering
        page = self.paginate_queryset(observations.values(*OBSERVATION_FIELDS))
        return self.get_paginated_response(observation_rows(cast(list[dict[str, Any]], page)))


class PingView(APIView):
    """A trivial JSON answer: for monitoring, and the baseline of the API benchmark."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["status"],
        responses={
            200: inline_serializer("Ping", {"status": serializers.CharField(), "version": serializers.CharField()})
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok", "version": "v1"})


def register(router: BaseRouter) -> None:
    """Add this app's endpoints to the v1 router (portal/api_v1.py)."""
    router.register("locations", LocationViewSet, basename="location")
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("releases", ReleaseViewSet, basename="release")
    router.register("observations", ObservationViewSet, basename="observation")


urlpatterns = [path("ping/", PingView.as_view(), name="api-ping")]
