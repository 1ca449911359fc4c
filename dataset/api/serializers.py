"""Serializers of the dataset API: locations, metrics, releases with their files, observations.

A page of observations is written as JSON straight from the query's tuples (ObservationPage and
ObservationJSONRenderer): a series has thousands of values, and building a dict per value and then
encoding it was most of the time of a request the cache had not seen.
"""

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from places.models import Location, Metric

from .. import vintages
from ..models import Release, ReleaseFile


class LocationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]  # a field named like Field.parent
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="Key of the enclosing location (none for a country)",
    )
    page = serializers.SerializerMethodField(help_text="The location's page on this site")

    class Meta:
        model = Location
        fields = [
            "key",
            "name",
            "level",
            "parent",
            "country_code",
            "iso_3166_1_alpha3",
            "iso_3166_2",
            "subdivision_type",
            "latitude",
            "longitude",
            "population",
            "population_source",
            "population_year",
            "page",
        ]

    def get_page(self, location: Location) -> str:
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
    sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the file; null while it is being computed, a minute or so after the release"
    )
    url = serializers.SerializerMethodField(help_text="Download link")

    def get_sha256(self, file: ReleaseFile) -> str | None:
        return file.sha256 or None

    def get_url(self, file: ReleaseFile) -> str:
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
        fields = [
            "number",
            "created_at",
            "description",
            "values_added",
            "values_changed",
            "values_unchanged",
            "values_skipped",
            "changelog",
            "exports_built_at",
            "files",
        ]


class ObservationSerializer(serializers.Serializer):
    """One value. Rows are dicts from `values()`, so a page never builds model instances."""

    date = serializers.DateField()
    location = serializers.CharField(source="location__key", help_text="Location key, e.g. IT or IT_25")
    metric = serializers.CharField(source="metric__code", help_text="Metric code, e.g. confirmed")
    value = serializers.FloatField(source=vintages.VALUE)
    source = serializers.IntegerField(  # type: ignore[assignment]  # a field named like Field.source
        source=vintages.SOURCE, help_text="Id of the source (see sources/)"
    )
    release = serializers.IntegerField(source=vintages.RELEASE, help_text="Release in which the value last changed")


def observation_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ObservationSerializer would give, built directly: a page has thousands of rows, and
    DRF's per-field machinery would be most of the request's time."""
    return [
        {
            "date": row["date"].isoformat(),
            "location": row["location__key"],
            "metric": row["metric__code"],
            "value": row[vintages.VALUE],
            "source": row[vintages.SOURCE],
            "release": row[vintages.RELEASE],
        }
        for row in rows
    ]


OBSERVATION_FIELDS = ("date", "location__key", "metric__code", vintages.VALUE, vintages.SOURCE, vintages.RELEASE)


class ObservationPage:
    """One page of observations: the cursor links and the rows as `values_list(*OBSERVATION_FIELDS)`
    tuples, rendered by ObservationJSONRenderer without a dict per row."""

    def __init__(self, next_link: str | None, previous_link: str | None, rows: list[tuple[Any, ...]]):
        self.next_link, self.previous_link, self.rows = next_link, previous_link, rows

    def as_data(self) -> dict[str, Any]:
        """The page as DRF's CursorPagination would give it (for renderings other than the compact one)."""
        rows = [dict(zip(OBSERVATION_FIELDS, row, strict=True)) for row in self.rows]
        return {"next": self.next_link, "previous": self.previous_link, "results": observation_rows(rows)}


class ObservationJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing an ObservationPage's rows directly: the same bytes as rendering
    `ObservationPage.as_data()` (checked in tests/api/test_observation_json.py)."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if not isinstance(data, ObservationPage):
            return super().render(data, accepted_media_type, renderer_context)
        compact = self.compact and self.get_indent(accepted_media_type or "", renderer_context or {}) is None
        if not compact or self.ensure_ascii:
            return super().render(data.as_data(), accepted_media_type, renderer_context)
        links = f'{{"next":{_json_text(data.next_link)},"previous":{_json_text(data.previous_link)},"results":'
        return (links + observation_json(data.rows, allow_nan=not self.strict) + "}").encode()


def _json_text(value: Any) -> str:
    """One value as DRF's compact, non-ASCII-escaping renderer writes it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _json_number(value: Any, allow_nan: bool) -> str:
    if type(value) is float:
        if not allow_nan and not math.isfinite(value):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float.__repr__(value) if math.isfinite(value) else json.dumps(value)
    if type(value) is int:
        return int.__repr__(value)
    return _json_text(value)


_ROW = '{"date":"%s","location":%s,"metric":%s,"value":%r,"source":%d,"release":%d}'


def observation_json(rows: Sequence[tuple[Any, ...]], *, allow_nan: bool = False) -> str:
    """A JSON array of observations (the fields of ObservationSerializer) from values_list tuples."""
    return "[" + ",".join(observation_json_rows(rows, allow_nan=allow_nan)) + "]"


def observation_json_rows(rows: Sequence[tuple[Any, ...]], *, allow_nan: bool = False) -> list[str]:
    """Each observation of `rows` (values_list tuples) as its JSON object.

    One %-format per row: dates print as ISO, floats as their repr (what json writes), ids as
    ints. Rows with something else (a null, a value that is not finite) take the general path."""
    texts = {text: _json_text(text) for text in {row[1] for row in rows} | {row[2] for row in rows}}
    try:
        if rows and not math.isfinite(sum(row[3] for row in rows)):
            raise TypeError("a value that is not finite")
        return [_ROW % (d, texts[lo], texts[me], v, s, r) for d, lo, me, v, s, r in rows]
    except TypeError:
        pass
    return [
        f'{{"date":"{day.isoformat()}","location":{texts[location]},"metric":{texts[metric]},'
        f'"value":{_json_number(value, allow_nan)},"source":{_json_number(source, allow_nan)},'
        f'"release":{_json_number(release, allow_nan)}}}'
        for day, location, metric, value, source, release in rows
    ]
