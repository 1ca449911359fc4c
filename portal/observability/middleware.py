"""Per request: the log fields cleared, the submission of the URL bound, and the request counted by
view and status.

The fields stay bound after the response, so Django's own line about a 4xx or 5xx answer (logged
once the middleware has returned) names the submission too; the next request clears them."""

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import context, metrics

# Views whose `pk` is a submission's (pages and API): their log lines carry its id.
SUBMISSION_VIEWS = ("contributions:", "review:", "submission-")


class ObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context.clear()
        started = time.monotonic()
        response = self.get_response(request)
        metrics.observe_request(request, response.status_code, time.monotonic() - started)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]) -> None:
        match = request.resolver_match
        name = (match.view_name if match else "") or ""
        if "submission_id" in kwargs:
            context.bind(submission_id=_int(kwargs["submission_id"]))
        elif "pk" in kwargs and name.startswith(SUBMISSION_VIEWS):
            context.bind(submission_id=_int(kwargs["pk"]))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
