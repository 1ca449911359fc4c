"""One error format for the whole API, so clients handle every failure the same way.

Every error body has `status` (the HTTP status), `code` (a stable machine-readable word such as
`not_found`, `throttled`, `invalid`) and `detail` (a sentence for people). Invalid input adds
`errors`: the offending fields, each with its messages (within v1 also repeated at the top level,
where DRF clients look for them). A 429 adds `retry_after` (seconds),
also sent as the `Retry-After` header.

Views never build error bodies themselves: they raise DRF's exceptions (`ValidationError`,
`NotFound`, `PermissionDenied`, `Throttled`...) or `Conflict`, and this handler writes the body.
"""

import math
from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every API error (common/api_errors.py)."""  # the schema's `Error` description: keep it

    status = serializers.IntegerField(help_text="The HTTP status")
    code = serializers.CharField(help_text="Stable machine-readable word: invalid, not_found, throttled...")
    detail = serializers.CharField(help_text="What went wrong, for people")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.errors
        required=False, help_text="Invalid input only: field name → messages"
    )
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait")


class Conflict(exceptions.APIException):
    """409: the request clashes with the current state (already decided, already registered...).

    `code` says which clash; keyword arguments become fields of the body beside status, code and
    detail, as they are (`existing={"id": 7, ...}` stays a number).
    """

    status_code = 409
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, code: str | None = None, **fields: Any) -> None:
        super().__init__(detail, code)
        self.fields = fields


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        body = {"status": response.status_code, "code": "invalid", "detail": _summary(errors), "errors": errors}
        # DRF clients read field errors at the top level: kept there too within v1 (see docs/api.md).
        body.update({k: v for k, v in errors.items() if k not in body})
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"status": response.status_code, "code": code, "detail": str(detail)}
        if isinstance(data, dict):
            body.update({k: v for k, v in data.items() if k != "detail"})
        body.update(getattr(exc, "fields", {}))
    if isinstance(exc, exceptions.Throttled):
        seconds: float | None = getattr(exc, "wait", None)
        wait = math.ceil(seconds) if seconds is not None else 60
        response["Retry-After"] = str(wait)
        body["retry_after"] = wait
        if str(exc.detail).startswith(str(exceptions.Throttled.default_detail)):
            body["detail"] = (
                f"Too many requests. Try again in {wait} seconds; authenticated clients (API token) "
                "have a higher limit."
            )
    response.data = body
    return response


def _summary(errors: dict[str, Any]) -> str:
    """The first message, prefixed by its field, so a person sees at once what to fix."""
    for field, messages in errors.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, dict):
            return f"Invalid input in {field}."
        return str(first) if field in ("non_field_errors", "detail") else f"{field}: {first}"
    return "Invalid input."
