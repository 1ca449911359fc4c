"""One upload limit per user, whatever the path: the upload page, "replace file" and the API.

The limit is the API's `upload` throttle rate (`API_THROTTLE_UPLOAD`, e.g. 60/hour). All three paths
count in the same cache entry as DRF's throttle for that scope (`throttle_upload_<user id>`, a sliding
window), so three uploads through the page and three through the API are six against one limit.
Anonymous requests never reach an upload; they are not counted.
"""

import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

from .services import UploadRefused


class TooManyUploads(UploadRefused):
    """Refused by the upload limit; the views show it where they show any other refusal."""

    def __init__(self, wait: int) -> None:
        self.wait = wait
        minutes = max(1, math.ceil(wait / 60))
        super().__init__(
            ngettext(
                "You have uploaded many files in a short time: you can upload again in %(minutes)s minute.",
                "You have uploaded many files in a short time: you can upload again in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


class UploadRateThrottle(SimpleRateThrottle):
    """The API's throttle on creating submissions, keyed per user (not per address)."""

    scope = "upload"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


def take(request: HttpRequest) -> None:
    """Count one upload by `request.user`; raise `TooManyUploads` when the limit is reached."""
    throttle = UploadRateThrottle()
    page_request: Any = request  # a Django request serves: the throttle reads only `request.user`
    if not throttle.allow_request(page_request, view=None):  # type: ignore[arg-type]  # no DRF view here
        raise TooManyUploads(max(1, math.ceil(throttle.wait() or 1)))
