"""Views of the dataset's public read API: locations/, metrics/, releases/, observations/ (JSON and CSV).

Everything here is public data: anyone may read, nobody writes through these endpoints. Responses
depend only on the URL, the format and the latest release, so they carry ETag / Last-Modified and
are cached per release (caching.py). Observations come as cursor-paginated JSON or as a streamed
CSV that never builds the whole body in memory (streaming.py).
"""

from collections.abc import Sequence
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

from common.pagination import CursorPages, numbered_pages
from places.models import Location, Metric

from .. import ended, vintages
from ..models import Observation, Release
from . import series_answers, series_figures
from .caching import ReleaseCacheMixin
from .conflicts import ConflictViewSet
from .errata import ErratumViewSet
from .filters import ORDERINGS, LocationFilter, ObservationFilter, ObservationFilterBackend, requested_ordering
from .openapi import (
    CONFIRMED,
    ERRORS,
    ITALY_CONFIRMED_SERIES,
    LOMBARDY,
    OBSERVATION_PARAMETERS,
    RELEASE_12,
    SERIES_FORMAT,
    example,
    read_schema,
)
from .serializers import (
    OBSERVATION_FIELDS,
    LocationSerializer,
    MetricSerializer,
    ObservationJSONRenderer,
    ObservationPage,
    ObservationSerializer,
    ReleaseSerializer,
)
from .series_figures import CSV_COLUMNS as SERIES_CSV_COLUMNS
from .series_figures import MAX_SERIES, SeriesCSVRenderer, SeriesJSONRenderer, SeriesListSerializer, SeriesQuery
from .streaming import CSV_CHUNK_ROWS, CSV_COLUMNS, CSVRenderer, stream_csv, streamed_rows


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


class CSVErrorsAsJSON(ReleaseCacheMixin):
    """Errors are JSON even when CSV was asked for: a CSV body cannot say what went wrong."""

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if (
            response.status_code >= 400
            and getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "csv"
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class ObservationCursorPages(CursorPages):
    """Cursor pages over `values_list(*OBSERVATION_FIELDS)` tuples: a cursor's position is read from
    the tuple's column of the ordering field."""

    page_size, max_page_size, ordering = 1000, 10000, ORDERINGS["date"]

    def _get_position_from_instance(self, instance: Any, ordering: Any) -> str:
        if isinstance(instance, tuple):
            return str(instance[OBSERVATION_FIELDS.index(str(ordering[0]).lstrip("-"))])
        return super()._get_position_from_instance(instance, ordering)


@extend_schema(tags=["dataset"])
class ObservationViewSet(CSVErrorsAsJSON, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Values of the canonical dataset, each with its source and the release in which it last changed.

    JSON pages are linked by `next` / `previous` cursors; `?format=csv` (or `Accept: text/csv`)
    streams all matching values at once, readable by `pandas.read_csv(url)`.
    """

    permission_classes = [AllowAny]
    count_requests = True  # the most requested queries are warmed after each release (dataset/warming.py)
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    filter_backends = [ObservationFilterBackend]
    observation_filter: ObservationFilter | None = None
    # Stable pages over a changing table: a cursor on date (ties broken by location and metric).
    pagination_class = ObservationCursorPages
    renderer_classes = [ObservationJSONRenderer, CSVRenderer]

    def get_queryset(self) -> QuerySet[Observation]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema needs the model, not a query
            return Observation.objects.none()
        # The one place the API leaves out the values after a series' end ("no longer reported").
        observations = ended.without_ended(Observation.objects.all())
        as_of = self.request.query_params.get("as_of", "").strip()
        if not as_of:
            return vintages.current(observations)
        try:
            release = vintages.resolve_release(as_of)
        except vintages.UnknownVintage as error:
            raise ValidationError({"as_of": [str(error)]})
        return vintages.as_of(observations, release)

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
        entry = getattr(self, "_release_cache", None)
        if entry is not None:  # a query on one whole series: from its payload, when the release's are ready
            page_size = cast(CursorPages, self.paginator).get_page_size(request) or ObservationCursorPages.page_size
            ready = series_answers.answer(request, entry["state"], page_size)
            if ready is not None:
                entry["hit"] = True  # kept as the series' payload: the answer itself is not stored
                return ready
        ordering = requested_ordering(request)
        observations = self.filter_queryset(self.get_queryset()).values_list(*OBSERVATION_FIELDS)
        if request.accepted_renderer.format == "csv":
            ordered = observations.order_by(*ordering)
            # Most answers (a series, a country) fit in one chunk: read them with one plain query;
            # only a bigger answer pays for a server-side cursor, and is streamed from it.
            first = list(ordered[: CSV_CHUNK_ROWS + 1])
            self._refuse_unknown(first)
            return stream_csv(iter(first) if len(first) <= CSV_CHUNK_ROWS else streamed_rows(ordered))
        paginator = cast(CursorPages, self.paginator)
        paginator.ordering = ordering
        page = cast(list[tuple[Any, ...]], self.paginate_queryset(observations))
        self._refuse_unknown(page)
        return Response(ObservationPage(paginator.get_next_link(), paginator.get_previous_link(), page))

    def _refuse_unknown(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """A 400 for requested keys or codes that do not exist (checked against the rows read first)."""
        if self.observation_filter is not None:
            location, metric = OBSERVATION_FIELDS.index("location__key"), OBSERVATION_FIELDS.index("metric__code")
            self.observation_filter.refuse_unknown(rows, location, metric)


@extend_schema(tags=["dataset"])
class SeriesViewSet(CSVErrorsAsJSON, viewsets.GenericViewSet):
    """Whole series with their derived figures (data dictionary, #derived), computed on the server.

    Figures at `date_from` count the values before it; `?format=csv` gives one row per location,
    metric and date. At most series_figures.MAX_SERIES series (locations × metrics) per request.
    """

    permission_classes = [AllowAny]
    count_requests = True  # popular ones (the explorer's) are warmed after each release like observations
    renderer_classes = [SeriesJSONRenderer, SeriesCSVRenderer]
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary="List series with derived figures",
        description="Each requested series (locations × metrics) with, per date, the value, daily new figure, "
        "7-day average and the three per 100,000 people, as the data dictionary defines them. "
        f"At most {MAX_SERIES} series per request; figures at `date_from` count the values before it.",
        parameters=[SeriesQuery, SERIES_FORMAT],
        responses={
            (200, "application/json"): SeriesListSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Columns: " + ", ".join(SERIES_CSV_COLUMNS)
            ),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "Italy, confirmed cases",
                response_only=True,
                status_codes=["200"],
                media_type="application/json",
                value={"results": [ITALY_CONFIRMED_SERIES]},
            )
        ],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        cached = self.cached_or_none(request)
        if cached is not None:
            return cached
        response = Response(series_figures.answer(series_figures.parse(request)))
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'inline; filename="series.csv"'
        return response


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
    router.register("series", SeriesViewSet, basename="series")
    router.register("errata", ErratumViewSet, basename="erratum")
    router.register("conflicts", ConflictViewSet, basename="conflict")


urlpatterns = [path("ping/", PingView.as_view(), name="api-ping")]
