"""OpenAPI documentation of the dataset endpoints: their error responses, examples and parameters."""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.serializers import Serializer

from common.api_errors import ErrorSerializer

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="A parameter is invalid: `errors` names it and says why",
        examples=[
            OpenApiExample(
                "Unknown location",
                value={
                    "status": 400,
                    "code": "invalid",
                    "detail": "location: Unknown location key: XX.",
                    "errors": {"location": ["Unknown location key: XX."]},
                },
            )
        ],
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        description="Too many requests: wait `Retry-After` seconds",
        examples=[
            OpenApiExample(
                "Throttled",
                value={
                    "status": 429,
                    "code": "throttled",
                    "retry_after": 42,
                    "detail": "Too many requests. Try again in 42 seconds; authenticated clients (API "
                    "token) have a higher limit.",
                },
            )
        ],
    ),
}
V = TypeVar("V", bound=Callable[..., Any])  # a view class

NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such object")}

LOMBARDY = {
    "key": "IT_25",
    "name": "Lombardia",
    "level": "region",
    "parent": "IT",
    "country_code": "IT",
    "iso_3166_1_alpha3": "",
    "iso_3166_2": "IT-25",
    "subdivision_type": "Region",
    "latitude": 45.47,
    "longitude": 9.19,
    "population": 10060574,
    "page": "https://covid.example.org/data/IT_25/",
}
CONFIRMED = {
    "code": "confirmed",
    "name": "Confirmed cases",
    "kind": "cumulative",
    "unit": "people",
    "description": "Cumulative number of laboratory-confirmed cases.",
}
RELEASE_12 = {
    "number": 12,
    "created_at": "2021-06-30T08:15:02Z",
    "description": "Submission 41: ISS regional data",
    "values_added": 1420,
    "values_changed": 37,
    "values_unchanged": 60311,
    "values_skipped": 0,
    "changelog": "Italy, regions: 1420 values added, 37 corrected.",
    "exports_built_at": "2021-06-30T08:16:40Z",
    "files": [
        {
            "format": "csv",
            "name": "covid19-open-data.csv",
            "size": 33521877,
            "sha256": "9f86d0…",
            "url": "https://covid.example.org/data/downloads/12/covid19-open-data.csv",
        }
    ],
}
# The series/ example: Italy's confirmed cases on 8 March 2020 (1694 on 1 March ... 7366), with its figures.
ITALY_CONFIRMED_SERIES = {
    "location": "IT",
    "metric": "confirmed",
    "kind": "cumulative",
    "population": 60461826,
    "ended": None,
    "data": [
        {
            "date": "2020-03-08",
            "value": 7366.0,
            "daily_new": 1483.0,
            "daily_new_7day_average": 810.285714,
            "value_per_100k": 12.182894,
            "daily_new_per_100k": 2.452787,
            "daily_new_7day_average_per_100k": 1.340161,
        }
    ],
}


def example(name: str, value: Any) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=["200"])


def read_schema(
    serializer: type[Serializer[Any]],
    *,
    listed: OpenApiExample,
    one: OpenApiExample,
    list_errors: dict[int, OpenApiResponse],
) -> Callable[[V], V]:
    """The documentation of a read-only viewset's list (its `list_errors`) and retrieve (404, 429), with
    one example each."""
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **list_errors}, examples=[listed]),
        retrieve=extend_schema(responses={200: serializer, **NOT_FOUND, 429: ERRORS[429]}, examples=[one]),
    )


OBSERVATION_PARAMETERS = [
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=["date", "-date"],
        description="Order by date (default) or newest first; ties are ordered by location and metric",
    ),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv"],
        description="`csv` streams every matching value as CSV (same as `Accept: text/csv`)",
    ),
]

SERIES_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv`: one row per location, metric and date (same as `Accept: text/csv`)",
)
