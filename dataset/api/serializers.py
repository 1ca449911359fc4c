"""Serializers of the dataset API: locations, metrics, releases with their files, observations."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

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
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Download link")

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
