"""The series/ endpoint's work: its parameters, the requested series read in one query, and their
derived figures (dataset/derived.py) written as JSON or CSV.

Derived figures depend on earlier values (the previous date's, the 7 days before), so each series is
read whole up to `date_to`, its figures computed, and only then cut at `date_from`. The number of
series (locations × metrics) is capped, so an answer is bounded: at most MAX_SERIES whole series.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from places.models import Location, Metric

from .. import derived, ended, vintages
from ..models import Observation, Release
from .filters import named, split_list

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


def _figures(column: np.ndarray) -> list[float | None]:
    """Rounded to derived.DECIMALS, NaN as None (and -0.0 as 0.0)."""
    rounded = np.round(column, derived.DECIMALS) + 0.0
    return [None if value != value else value for value in rounded.tolist()]


def answer(query: SeriesRequest) -> dict[str, Any]:
    """{"results": [one object per requested series, in the order asked: location, metric, kind,
    population, ended, data: [{date, value, derived figures...}]]}. Lookups of the keys and codes, of
    the end marks, then one query for the values of every series."""
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
    rows = list(
        observations.order_by("location_id", "metric_id", "date").values_list("location_id", "metric_id", "date", value)
    )
    table = _derive(rows, locations, metrics, ends)
    if query.date_from is not None:
        table = table[table["day"] >= query.date_from.toordinal()]

    by_pair = dict(iter(table.groupby(["location_id", "metric_id"], sort=False))) if len(table) else {}
    results = []
    for key in query.locations:
        location_id, population = locations[key]
        for code in query.metrics:
            metric_id, kind = metrics[code]
            part = by_pair.get((location_id, metric_id))
            end = ends.get((location_id, metric_id))
            results.append(
                {
                    "location": key,
                    "metric": code,
                    "kind": kind,
                    "population": population,
                    "ended": end.isoformat() if end else None,
                    "data": [] if part is None else _points(part),
                }
            )
    return {"results": results}


def _derive(
    rows: list[tuple[int, int, date, float]],
    locations: Mapping[str, tuple],
    metrics: Mapping[str, tuple],
    ends: Mapping[tuple[int, int], date],
) -> pd.DataFrame:
    """The rows (ordered by location id, metric id, date) with their derived figures."""
    if not rows:
        return pd.DataFrame(columns=["location_id", "metric_id", "day", "date", "value", *derived.FIELDS])
    location_ids, metric_ids, dates, values = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "location_id": np.array(location_ids, dtype=np.int64),
            "metric_id": np.array(metric_ids, dtype=np.int64),
            "date": dates,
            "value": np.array(values, dtype=float),
        }
    )
    frame["day"] = [day.toordinal() for day in dates]
    frame["series"] = frame["location_id"] * (max(metric_ids) + 1) + frame["metric_id"]
    populations = dict(locations.values())
    cumulative = {pk: kind == Metric.Kind.CUMULATIVE for pk, kind in metrics.values()}
    frame["population"] = frame["location_id"].map(populations).astype(float)
    frame["cumulative"] = frame["metric_id"].map(cumulative).astype(bool)
    end_days = pd.Series({pair: day.toordinal() for pair, day in ends.items()}, dtype=float)
    pairs = pd.MultiIndex.from_arrays([frame["location_id"], frame["metric_id"]])
    frame["end"] = end_days.reindex(pairs).to_numpy() if len(end_days) else np.nan
    return derived.derive(frame)


def _points(part: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [[day.isoformat() for day in part["date"]], part["value"].astype(float).tolist()]
    columns += [_figures(part[name].to_numpy(dtype=float)) for name in derived.FIELDS]
    return [dict(zip(POINT_FIELDS, point, strict=True)) for point in zip(*columns, strict=True)]


def _cell(value: Any) -> Any:
    """CSV cells as the observations' CSV writes values: 17, not 17.0; empty for none."""
    if value is None:
        return ""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class SeriesCSVRenderer(BaseRenderer):
    """One row per location, metric and date (CSV_COLUMNS), series after series in the order asked."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for series in data.get("results", []) if isinstance(data, dict) else []:
            location, metric = series["location"], series["metric"]
            writer.writerows(
                [point["date"], location, metric, *(_cell(point[name]) for name in POINT_FIELDS[1:])]
                for point in series["data"]
            )
        return buffer.getvalue().encode()
