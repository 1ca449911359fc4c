"""Public read API of the canonical dataset: locations/, metrics/, releases/, observations/ (JSON and CSV).

Everything here is public data: anyone may read, nobody writes through these endpoints. Responses
depend only on the URL, the format and the latest release, so they carry ETag / Last-Modified and
are cached per release (dataset/api_caching.py). Observations come as cursor-paginated JSON or as
a streamed CSV that never builds the whole body in memory.
"""
import csv
import io

import django_filters
from django import forms
from django.db import connection, transaction
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.urls import NoReverseMatch, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from places.models import Location, LocationAlias, Metric, normalise_name

from . import vintages
from .api_caching import ReleaseCacheMixin
from .models import Observation, Release

CSV_COLUMNS = ["date", "location", "metric", "value", "source", "release"]
CSV_CHUNK_ROWS = 5000


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (common/api_errors.py)."""

    status = serializers.IntegerField(help_text="The HTTP status")
    code = serializers.CharField(help_text="Stable machine-readable word: invalid, not_found, throttled...")
    detail = serializers.CharField(help_text="What went wrong, for people")
    errors = serializers.DictField(required=False, help_text="Invalid input only: field name → messages")
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait")


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is invalid: `errors` names it and says why",
                         examples=[OpenApiExample("Unknown location", value={
                             "status": 400, "code": "invalid", "detail": "location: Unknown location key: XX.",
                             "errors": {"location": ["Unknown location key: XX."]}})]),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: wait `Retry-After` seconds",
                         examples=[OpenApiExample("Throttled", value={
                             "status": 429, "code": "throttled", "retry_after": 42,
                             "detail": "Too many requests. Try again in 42 seconds; authenticated clients (API "
                                       "token) have a higher limit."})]),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such object")}

LOMBARDY = {"key": "IT_25", "name": "Lombardia", "level": "region", "parent": "IT", "country_code": "IT",
            "iso_3166_1_alpha3": "", "iso_3166_2": "IT-25", "subdivision_type": "Region", "latitude": 45.47,
            "longitude": 9.19, "population": 10060574, "page": "https://covid.example.org/data/IT_25/"}
CONFIRMED = {"code": "confirmed", "name": "Confirmed cases", "kind": "cumulative", "unit": "people",
             "description": "Cumulative number of laboratory-confirmed cases."}
RELEASE_12 = {"number": 12, "created_at": "2021-06-30T08:15:02Z", "description": "Submission 41: ISS regional data",
              "values_added": 1420, "values_changed": 37, "values_unchanged": 60311, "values_skipped": 0,
              "changelog": "Italy, regions: 1420 values added, 37 corrected.",
              "exports_built_at": "2021-06-30T08:16:40Z",
              "files": [{"format": "csv", "name": "covid19-open-data.csv", "size": 33521877, "sha256": "9f86d0…",
                         "url": "https://covid.example.org/data/downloads/12/covid19-open-data.csv"}]}


def example(name, value):
    return OpenApiExample(name, value=value, response_only=True, status_codes=["200"])


# --- serializers ------------------------------------------------------------------------------

class LocationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True,
                                          help_text="Key of the enclosing location (none for a country)")
    page = serializers.SerializerMethodField(help_text="The location's page on this site")

    class Meta:
        model = Location
        fields = ["key", "name", "level", "parent", "country_code", "iso_3166_1_alpha3", "iso_3166_2",
                  "subdivision_type", "latitude", "longitude", "population", "page"]

    def get_page(self, location) -> str:
        request = self.context.get("request")
        try:
            url = reverse("dataset:location", kwargs={"key": location.key})
        except NoReverseMatch:
            return ""
        return request.build_absolute_uri(url) if request else url


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["code", "name", "kind", "unit", "description"]


class ReleaseFileSerializer(serializers.Serializer):
    format = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Download link")

    def get_url(self, file) -> str:
        request = self.context.get("request")
        try:
            url = reverse("dataset:download_file", kwargs={"number": file.release.number, "name": file.name})
        except NoReverseMatch:
            return ""
        return request.build_absolute_uri(url) if request else url


class ReleaseSerializer(serializers.ModelSerializer):
    files = ReleaseFileSerializer(many=True, read_only=True, help_text="Export files of this release")

    class Meta:
        model = Release
        fields = ["number", "created_at", "description", "values_added", "values_changed", "values_unchanged",
                  "values_skipped", "changelog", "exports_built_at", "files"]


class ObservationSerializer(serializers.Serializer):
    """One value. Rows are dicts from `values()`, so a page never builds model instances."""

    date = serializers.DateField()
    location = serializers.CharField(source="location__key", help_text="Location key, e.g. IT or IT_25")
    metric = serializers.CharField(source="metric__code", help_text="Metric code, e.g. confirmed")
    value = serializers.FloatField(source=vintages.VALUE)
    source = serializers.IntegerField(source=vintages.SOURCE, help_text="Id of the source (see sources/)")
    release = serializers.IntegerField(source=vintages.RELEASE, help_text="Release in which the value last changed")


def observation_rows(rows) -> list[dict]:
    """What ObservationSerializer would give, built directly: a page has thousands of rows, and
    DRF's per-field machinery would be most of the request's time."""
    return [
        {"date": row["date"].isoformat(), "location": row["location__key"], "metric": row["metric__code"],
         "value": row[vintages.VALUE], "source": row[vintages.SOURCE], "release": row[vintages.RELEASE]}
        for row in rows
    ]


OBSERVATION_FIELDS = ("date", "location__key", "metric__code", vintages.VALUE, vintages.SOURCE, vintages.RELEASE)


# --- filters ----------------------------------------------------------------------------------

class ListWidget(forms.TextInput):
    """Reads `?x=a,b` and `?x=a&x=b` alike, as one comma-separated text."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(v for v in values if v) or None


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class LocationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Location.Level.choices)
    parent = django_filters.CharFilter(field_name="parent__key", help_text="Key of the parent location, e.g. IT")
    country = django_filters.CharFilter(field_name="country_code", lookup_expr="iexact",
                                        help_text="ISO 3166-1 alpha-2 code of the country the locations are in")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of a name or alias, or a key")

    class Meta:
        model = Location
        fields = ["level", "parent", "country", "search"]

    def filter_search(self, queryset, name, value):
        text = value.strip()
        wanted = normalise_name(text)
        condition = Q(key__iexact=text) | Q(name__icontains=text)
        if wanted:
            aliased = LocationAlias.objects.filter(normalised__contains=wanted).values("location_id")
            condition |= Q(pk__in=aliased)
        return queryset.filter(condition)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def named(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class ObservationFilter(django_filters.FilterSet):
    location = django_filters.CharFilter(
        method="filter_location", widget=ListWidget,
        help_text="One or several location keys: `location=IT,DE` or `location=IT&location=DE`")
    include_subregions = django_filters.BooleanFilter(
        method="filter_nothing", help_text="With `location`, also every region and subregion inside it")
    metric = django_filters.CharFilter(
        method="filter_metric", widget=ListWidget, help_text="One or several metric codes: `metric=confirmed,deaths`")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="First date (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="Last date (YYYY-MM-DD)")
    source = IntegerFilter(method="filter_source", help_text="Source id (see sources/)")
    as_of = django_filters.CharFilter(
        method="filter_nothing",
        help_text="A release number, or a date (YYYY-MM-DD) meaning the last release made on or before it: "
                  "values as they were published then")

    class Meta:
        model = Observation
        fields = ["location", "include_subregions", "metric", "date_from", "date_to", "source", "as_of"]

    def filter_nothing(self, queryset, name, value):
        """Read by other filters (include_subregions) or by the view (as_of)."""
        return queryset

    def filter_location(self, queryset, name, value):
        keys = [key.upper() for key in split_list(value)]
        found = dict(Location.objects.filter(key__in=keys).values_list("key", "pk"))
        unknown = [key for key in keys if key not in found]
        if unknown:
            raise ValidationError({"location": [f"Unknown location key: {named(unknown)}."]})
        ids = list(found.values())
        if self.form.cleaned_data.get("include_subregions"):
            inside = Location.objects.filter(Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids))
            return queryset.filter(location__in=inside.values("pk"))
        return queryset.filter(location_id__in=ids)

    def filter_metric(self, queryset, name, value):
        codes = [code.lower() for code in split_list(value)]
        found = dict(Metric.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError({"metric": [f"Unknown metric: {named(unknown)}. See /api/v1/metrics/."]})
        return queryset.filter(metric_id__in=list(found.values()))

    def filter_source(self, queryset, name, value):
        return queryset.filter(**{vintages.SOURCE: value})


# --- pagination and rendering -----------------------------------------------------------------

class ObservationCursorPagination(CursorPagination):
    """Stable pages over a changing table: a cursor on date (ties broken by location and metric)."""

    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10000
    ordering = ("date", "location_id", "metric_id")


ORDERINGS = {"date": ("date", "location_id", "metric_id"), "-date": ("-date", "-location_id", "-metric_id")}


def requested_ordering(request) -> tuple:
    value = request.query_params.get("ordering", "date")
    if value not in ORDERINGS:
        raise ValidationError({"ordering": ["Use ordering=date or ordering=-date."]})
    return ORDERINGS[value]


class CSVRenderer(BaseRenderer):
    """Announces text/csv for content negotiation; the observations view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", data) if isinstance(data, dict) else data
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows if isinstance(rows, list) else [])
        return buffer.getvalue().encode()


def csv_number(value: float):
    """Counts are written as integers (17, not 17.0); anything else as Python's shortest float."""
    return int(value) if value.is_integer() else value


def streamed_rows(queryset):
    """Rows fetched chunk by chunk while the response is being sent.

    On PostgreSQL the server-side cursor runs inside a read transaction: outside one, Django
    declares it WITH HOLD, which makes PostgreSQL compute and store the whole result before the
    first row. (SQLite streams from a plain cursor; a transaction there would take the write lock.)
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield from queryset.iterator(chunk_size=CSV_CHUNK_ROWS)
    else:
        yield from queryset.iterator(chunk_size=CSV_CHUNK_ROWS)


def stream_csv(rows) -> StreamingHttpResponse:
    """A CSV response written chunk by chunk from a (server-side) cursor over `rows`."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for count, (day, location, metric, value, source, release) in enumerate(rows, 1):
            writer.writerow((day, location, metric, csv_number(value), source, release))
            if count % CSV_CHUNK_ROWS == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="observations.csv"'
    return response


# --- views ------------------------------------------------------------------------------------

class PublicReadMixin(ReleaseCacheMixin):
    """Anyone reads; list and retrieve are cached per release."""

    permission_classes = [AllowAny]

    def list(self, request, *args, **kwargs):
        return self.cached_or_none(request) or super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.cached_or_none(request) or super().retrieve(request, *args, **kwargs)


class LocationPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(tags=["dataset"])
class LocationViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    """Countries, regions and subregions with their keys (IT, IT_25, US_CA_06037)."""

    queryset = Location.objects.select_related("parent").order_by("key")
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    pagination_class = LocationPagination
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    @extend_schema(responses={200: LocationSerializer(many=True), **ERRORS},
                   examples=[example("Regions of Italy", [LOMBARDY])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: LocationSerializer, **NOT_FOUND, 429: ERRORS[429]},
                   examples=[example("Lombardy", LOMBARDY)])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["dataset"])
class MetricViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    """What is counted: confirmed cases, deaths, tests... with the kind of series (cumulative or daily)."""

    queryset = Metric.objects.all()
    serializer_class = MetricSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "code"

    @extend_schema(responses={200: MetricSerializer(many=True), 429: ERRORS[429]},
                   examples=[example("Metrics", [CONFIRMED])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: MetricSerializer, **NOT_FOUND, 429: ERRORS[429]},
                   examples=[example("Confirmed cases", CONFIRMED)])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class ReleasePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(tags=["dataset"])
class ReleaseViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    """Numbered, citable states of the dataset, newest first, with counts, changelog and export files."""

    queryset = Release.objects.prefetch_related("files__release").order_by("-number")
    serializer_class = ReleaseSerializer
    pagination_class = ReleasePagination
    filter_backends = []
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"

    @extend_schema(responses={200: ReleaseSerializer(many=True), 429: ERRORS[429]},
                   examples=[example("Releases", [RELEASE_12])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ReleaseSerializer, **NOT_FOUND, 429: ERRORS[429]},
                   examples=[example("Release 12", RELEASE_12)])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


OBSERVATION_PARAMETERS = [
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=["date", "-date"], description="Order by date (default) "
                     "or newest first; ties are ordered by location and metric"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"],
                     description="`csv` streams every matching value as CSV (same as `Accept: text/csv`)"),
]


@extend_schema(tags=["dataset"])
class ObservationViewSet(ReleaseCacheMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Values of the canonical dataset, each with its source and the release in which it last changed.

    JSON pages are linked by `next` / `previous` cursors; `?format=csv` (or `Accept: text/csv`)
    streams all matching values at once, readable by `pandas.read_csv(url)`.
    """

    permission_classes = [AllowAny]
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    pagination_class = ObservationCursorPagination
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get_queryset(self):
        observations = Observation.objects.all()
        as_of = self.request.query_params.get("as_of", "").strip()
        if not as_of:
            return vintages.current(observations)
        try:
            release = vintages.resolve_release(as_of)
        except vintages.UnknownVintage as error:
            raise ValidationError({"as_of": [str(error)]})
        return vintages.as_of(observations, release)

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON even when CSV was asked for: a CSV body cannot say what went wrong."""
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None \
                and request.accepted_renderer.format == "csv":
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=OBSERVATION_PARAMETERS,
        responses={
            (200, "application/json"): ObservationSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Columns: " + ", ".join(CSV_COLUMNS)),
            **ERRORS,
        },
        examples=[OpenApiExample(
            "Italy, confirmed cases", response_only=True, status_codes=["200"], media_type="application/json",
            value=[{"date": "2020-03-01", "location": "IT", "metric": "confirmed", "value": 1694.0, "source": 3,
                    "release": 1}],
        )],
    )
    def list(self, request, *args, **kwargs):
        cached = self.cached_or_none(request)
        if cached is not None:
            return cached
        ordering = requested_ordering(request)
        observations = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            return stream_csv(streamed_rows(observations.order_by(*ordering).values_list(*OBSERVATION_FIELDS)))
        self.paginator.ordering = ordering
        page = self.paginate_queryset(observations.values(*OBSERVATION_FIELDS))
        return self.get_paginated_response(observation_rows(page))


class PingView(APIView):
    """A trivial JSON answer: for monitoring, and the baseline of the API benchmark."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["status"], responses={200: inline_serializer("Ping", {"status": serializers.CharField(),
                                                                              "version": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok", "version": "v1"})


def register(router) -> None:
    """Add this app's endpoints to the v1 router (portal/api_v1.py)."""
    router.register("locations", LocationViewSet, basename="location")
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("releases", ReleaseViewSet, basename="release")
    router.register("observations", ObservationViewSet, basename="observation")


urlpatterns = [path("ping/", PingView.as_view(), name="api-ping")]
