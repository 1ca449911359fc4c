"""The series/ endpoint's work: its parameters, the requested series read in one query, and their
derived figures (dataset/derived.py) written as JSON or CSV.

Derived figures depend on earlier values (the previous date's, the 7 days before), so each series is
read whole up to `date_to`, its figures computed, and only then cut at `date_from`. The number of
series (locations × metrics) is capped, so an answer is bounded: at most MAX_SERIES whole series.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from places.models import Location, Metric

from .. import derived, ended, vintages
from ..models import Observation, Release
from .filters import named, split_list
from .streaming import CSVRenderer

MAX_SERIES = 30
PARAMETERS = ("location", "metric", "date_from", "date_to", "as_of", "format")
POINT_FIELDS = ("date", "value", *derived.FIELDS)
CSV_COLUMNS = ("date", "location", "metric", "value", *derived.FIELDS)


class SeriesQuery(serializers.Serializer):
    """The parameters of series/ (lists as `a,b` or repeated)."""

    location = serializers.CharField(help_text="One or several location keys: `location=IT,DE`")
    metric = serializers.CharField(help_text="One or several metric codes: `metric=confirmed,deaths`")
    date_from = serializers.DateField(
        required=False, help_text="First date shown (YYYY-MM-DD); its figures still count the values before it"
    )
    date_to = serializers.DateField(required=False, help_text="Last date shown (YYYY-MM-DD)")
    as_of = serializers.CharField(
        required=False,
        help_text="A release number, or a date (YYYY-MM-DD) meaning the last release made on or before it: "
        "the figures of the values as they were published then",
    )


class SeriesPointSerializer(serializers.Serializer):
    """One date of a series (documentation of the JSON answer; the answer is written by `answer`)."""

    date = serializers.DateField()
    value = serializers.FloatField(help_text="The value as published")
    daily_new = serializers.FloatField(
        allow_null=True,
        help_text="Cumulative metric: value minus the previous reported date's (negative after a correction; "
        "empty on the first date). Other metrics: the value itself",
    )
    daily_new_7day_average = serializers.FloatField(
        allow_null=True,
        help_text="Mean of the daily_new figures dated in the 7 calendar days ending on this date (missing days "
        "left out); empty until 7 days have passed since the first daily figure",
    )
    value_per_100k = serializers.FloatField(
        allow_null=True, help_text="value × 100,000 ÷ population; empty without a population"
    )
    daily_new_per_100k = serializers.FloatField(allow_null=True, help_text="daily_new × 100,000 ÷ population")
    daily_new_7day_average_per_100k = serializers.FloatField(
        allow_null=True, help_text="daily_new_7day_average × 100,000 ÷ population"
    )


class SeriesSerializer(serializers.Serializer):
    """One requested series with its figures (documentation of the JSON answer)."""

    location = serializers.CharField(help_text="Location key")
    metric = serializers.CharField(help_text="Metric code")
    kind = serializers.ChoiceField(choices=Metric.Kind.choices, help_text="cumulative or daily")
    population = serializers.IntegerField(allow_null=True, help_text="The population the per-100k figures use")
    ended = serializers.DateField(
        allow_null=True, help_text="A series no longer reported: its first date without data (the series ends before)"
    )
    data = SeriesPointSerializer(many=True, help_text="One entry per reported date, oldest first")  # type: ignore[assignment]  # a field named like Serializer.data


class SeriesListSerializer(serializers.Serializer):
    results = SeriesSerializer(many=True, help_text="The series asked for, locations × metrics in the order asked")


@dataclass(frozen=True)
class SeriesRequest:
    locations: list[str]
    metrics: list[str]
    date_from: date | None
    date_to: date | None
    release: Release | None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse(request: Request) -> SeriesRequest:
    """The request's parameters, checked: a 400 (ValidationError) names what is wrong."""
    params = request.query_params
    unknown = sorted(name for name in params if name not in PARAMETERS)
    if unknown:
        raise ValidationError(
            {unknown[0]: [f"Unknown parameter: {named(unknown)}. This endpoint takes {', '.join(PARAMETERS)}."]}
        )
    query = SeriesQuery(data={name: ",".join(v for v in params.getlist(name) if v) for name in params})
    query.is_valid(raise_exception=True)
    data = query.validated_data
    locations = _unique([key.upper() for key in split_list(data["location"])])
    metrics = _unique([code.lower() for code in split_list(data["metric"])])
    errors = {}
    if not locations:
        errors["location"] = ["Name one or several location keys."]
    if not metrics:
        errors["metric"] = ["Name one or several metric codes."]
    if errors:
        raise ValidationError(errors)
    if len(locations) * len(metrics) > MAX_SERIES:
        message = (
            f"At most {MAX_SERIES} series per request (locations × metrics): "
            f"{len(locations)} × {len(metrics)} = {len(locations) * len(metrics)} asked. Split the request."
        )
        raise ValidationError({"location": [message]})
    date_from, date_to = data.get("date_from"), data.get("date_to")
    if date_from and date_to and date_from > date_to:
        raise ValidationError({"date_from": ["date_from is after date_to."]})
    release = None
    if data.get("as_of", "").strip():
        try:
            release = vintages.resolve_release(data["as_of"])
        except vintages.UnknownVintage as error:
            raise ValidationError({"as_of": [str(error)]}) from None
    return SeriesRequest(locations, metrics, date_from, date_to, release)


def _known(model: type[Location] | type[Metric], field: str, values: list[str], extra: str) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in model.objects.filter(**{f"{field}__in": values}).values_list(field, "pk", extra)}


@dataclass(frozen=True)
class Series:
    """One requested series: what it is, and its rows (start:stop) in the answer's columns."""

    location: str
    metric: str
    kind: str
    population: int | None
    ended: date | None
    start: int
    stop: int


class SeriesAnswer:
    """The requested series and the columns of all their rows (date ordinals, value, FIELDS), written
    as JSON or CSV column by column (a 10-place, 3-year answer has 11,000 rows: no dict per row)."""

    def __init__(self, series: list[Series], columns: Mapping[str, np.ndarray]):
        self.series, self.days = series, columns["day"]
        self.figures = {name: _rounded(columns[name], name) for name in POINT_FIELDS[1:]}

    def _texts(self, *, csv_cells: bool) -> tuple[list[str], dict[str, list[str]]]:
        """Dates as ISO texts, and each figure column as texts: JSON numbers (repr, null), or CSV cells
        (17 not 17.0, empty for none)."""
        iso = {day: date.fromordinal(day).isoformat() for day in set(self.days.tolist())}
        dates = [iso[day] for day in self.days.tolist()]
        texts = {}
        for name, column in self.figures.items():
            written = [repr(value) if value == value else "" for value in column.tolist()]
            if csv_cells:
                texts[name] = [text[:-2] if text.endswith(".0") else text for text in written]
            else:
                texts[name] = [text or "null" for text in written]
        return dates, texts

    def _meta(self, series: Series) -> dict[str, Any]:
        return {
            "location": series.location,
            "metric": series.metric,
            "kind": series.kind,
            "population": series.population,
            "ended": series.ended.isoformat() if series.ended else None,
        }

    def as_data(self) -> dict[str, Any]:
        """The answer as plain data (SeriesListSerializer's shape)."""
        names = POINT_FIELDS[1:]
        results = []
        for series in self.series:
            rows = range(series.start, series.stop)
            columns = [[_none(self.figures[name][i]) for i in rows] for name in names]
            dates = [date.fromordinal(int(self.days[i])).isoformat() for i in rows]
            points = [dict(zip(POINT_FIELDS, point, strict=True)) for point in zip(dates, *columns, strict=True)]
            results.append({**self._meta(series), "data": points})
        return {"results": results}

    def json(self) -> str:
        """as_data() as DRF's compact JSON renderer writes it, built from texts."""
        dates, texts = self._texts(csv_cells=False)
        template = '{"date":"%s",' + ",".join(f'"{name}":%s' for name in POINT_FIELDS[1:]) + "}"
        columns = [texts[name] for name in POINT_FIELDS[1:]]
        parts = []
        for series in self.series:
            meta = json.dumps(self._meta(series), ensure_ascii=False, separators=(",", ":"))
            rows = zip(*(column[series.start : series.stop] for column in [dates, *columns]), strict=True)
            parts.append(meta[:-1] + ',"data":[' + ",".join(template % row for row in rows) + "]}")
        return '{"results":[' + ",".join(parts) + "]}"

    def csv(self) -> str:
        """One row per location, metric and date (CSV_COLUMNS), series after series in the order asked."""
        dates, texts = self._texts(csv_cells=True)
        columns = [texts[name] for name in POINT_FIELDS[1:]]
        lines = [",".join(CSV_COLUMNS)]
        for series in self.series:
            # Keys and codes hold no comma or quote (places/models.py), so cells need no quoting.
            lead = f"{series.location},{series.metric}"
            rows = zip(*(column[series.start : series.stop] for column in [dates, *columns]), strict=True)
            lines.extend(f"{row[0]},{lead}," + ",".join(row[1:]) for row in rows)
        return "\n".join(lines) + "\n"


def _rounded(column: np.ndarray, name: str) -> np.ndarray:
    """Derived figures rounded to derived.DECIMALS (sums of floats carry noise), -0.0 as 0.0; the value
    as published."""
    column = np.asarray(column, dtype=float)
    return column if name == "value" else np.round(column, derived.DECIMALS) + 0.0


def _none(value: float) -> float | None:
    return None if value != value else float(value)


def answer(query: SeriesRequest) -> SeriesAnswer:
    """Every requested series, in the order asked (location, then metric). Lookups of the keys and
    codes, of the end marks, then one query for the values of every series."""
    locations = _known(Location, "key", query.locations, "population")
    metrics = _known(Metric, "code", query.metrics, "kind")
    missing = [key for key in query.locations if key not in locations]
    if missing:
        raise ValidationError({"location": [f"Unknown location key: {named(missing)}."]})
    missing = [code for code in query.metrics if code not in metrics]
    if missing:
        raise ValidationError({"metric": [f"Unknown metric: {named(missing)}. See /api/v1/metrics/."]})
    location_ids = [pk for pk, _ in locations.values()]
    metric_ids = [pk for pk, _ in metrics.values()]
    ends = {pair: day for pair, day in ended.end_dates(location_ids).items() if pair[1] in metric_ids}

    observations = Observation.objects.filter(location_id__in=location_ids, metric_id__in=metric_ids)
    if query.date_to is not None:
        observations = observations.filter(date__lte=query.date_to)
    value = "value"
    if query.release is not None:
        observations, value = vintages.as_of(observations, query.release), vintages.VALUE
    rows = observations.order_by("location_id", "metric_id", "date").values_list(
        "location_id", "metric_id", "date", value
    )
    columns = _derive(list(rows), locations, metrics, ends)
    if query.date_from is not None:
        shown = columns["day"] >= query.date_from.toordinal()
        columns = {name: column[shown] for name, column in columns.items()}

    spans = _spans(columns["location_id"], columns["metric_id"])
    series = []
    for key in query.locations:
        location_id, population = locations[key]
        for code in query.metrics:
            metric_id, kind = metrics[code]
            start, stop = spans.get((location_id, metric_id), (0, 0))
            end = ends.get((location_id, metric_id))
            series.append(Series(key, code, kind, population, end, start, stop))
    return SeriesAnswer(series, columns)


def _spans(location_ids: np.ndarray, metric_ids: np.ndarray) -> dict[tuple[int, int], tuple[int, int]]:
    """{(location id, metric id): (first row, row after the last)} of rows sorted by both."""
    if not len(location_ids):
        return {}
    starts = np.flatnonzero(np.r_[True, (location_ids[1:] != location_ids[:-1]) | (metric_ids[1:] != metric_ids[:-1])])
    stops = np.r_[starts[1:], len(location_ids)]
    return {
        (int(location_ids[start]), int(metric_ids[start])): (int(start), int(stop))
        for start, stop in zip(starts, stops, strict=True)
    }


def _derive(
    rows: list[tuple[int, int, date, float]],
    locations: Mapping[str, tuple],
    metrics: Mapping[str, tuple],
    ends: Mapping[tuple[int, int], date],
) -> dict[str, np.ndarray]:
    """The columns of the rows (ordered by location id, metric id, date) with their derived figures."""
    location_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    metric_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    days = np.fromiter((row[2].toordinal() for row in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((row[3] for row in rows), dtype=float, count=len(rows))
    # Per series: rows are contiguous, so each series' attributes are repeated over its rows.
    spans = _spans(location_ids, metric_ids)
    lengths = [stop - start for start, stop in spans.values()]
    populations = dict(locations.values())
    cumulative = {pk: kind == Metric.Kind.CUMULATIVE for pk, kind in metrics.values()}

    def repeated(per_series: list[Any], dtype: Any) -> np.ndarray:
        return np.repeat(np.array(per_series, dtype=dtype), lengths)

    pairs = list(spans)
    return derived.derive_columns(
        {
            "location_id": location_ids,
            "metric_id": metric_ids,
            "series": repeated(list(range(len(pairs))), np.int64),
            "day": days,
            "value": values,
            "cumulative": repeated([cumulative[m] for _, m in pairs], bool),
            "population": repeated([np.nan if populations[lo] is None else populations[lo] for lo, _ in pairs], float),
            "end": repeated([ends[p].toordinal() if p in ends else np.nan for p in pairs], float),
        }
    )


class SeriesJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing a SeriesAnswer from its columns: the same bytes as rendering
    `SeriesAnswer.as_data()` (checked in tests/dataset/api/test_series_figures.py)."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if not isinstance(data, SeriesAnswer):
            return super().render(data, accepted_media_type, renderer_context)
        compact = self.compact and self.get_indent(accepted_media_type or "", renderer_context or {}) is None
        if not compact or self.ensure_ascii:
            return super().render(data.as_data(), accepted_media_type, renderer_context)
        return data.json().encode()


class SeriesCSVRenderer(CSVRenderer):
    """One row per location, metric and date (CSV_COLUMNS), series after series in the order asked."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        return (data.csv() if isinstance(data, SeriesAnswer) else ",".join(CSV_COLUMNS) + "\n").encode()
