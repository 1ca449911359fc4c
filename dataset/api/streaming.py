"""Observations as CSV: the renderer that content negotiation sees, and the body streamed chunk by chunk
from a server-side cursor, so a full download never sits in memory."""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

CSV_COLUMNS = ["date", "location", "metric", "value", "source", "release"]
CSV_CHUNK_ROWS = 5000


class CSVRenderer(BaseRenderer):
    """Announces text/csv for content negotiation; the observations view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        rows = data.get("results", data) if isinstance(data, dict) else data
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows if isinstance(rows, list) else [])
        return buffer.getvalue().encode()


def csv_number(value: float) -> int | float:
    """Counts are written as integers (17, not 17.0); anything else as Python's shortest float."""
    return int(value) if value.is_integer() else value


def streamed_rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
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


def stream_csv(rows: Iterable[tuple[Any, ...]]) -> StreamingHttpResponse:
    """A CSV response written chunk by chunk from a (server-side) cursor over `rows`."""

    def chunks() -> Iterator[bytes]:
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
