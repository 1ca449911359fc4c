"""Fixed-window rate limits for public forms, kept in the Django cache (Redis when REDIS_URL is set)."""

import re

from django.conf import settings
from django.core.cache import cache

from common.client_ip import client_key

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/h" → (10, 3600); "5/10m" → (5, 600). A malformed rate is a configuration error."""
    match = _RATE.match(rate or "")
    if not match:
        raise ValueError(f"Invalid rate {rate!r}: use COUNT/PERIOD such as 10/h, 5/10m or 100/d")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def allow(scope: str, key: str, rate: str | None = None) -> bool:
    """Count one hit for (scope, key) and say whether it is still within the rate."""
    limit, period = parse_rate(rate or settings.PUBLIC_FORM_RATE)
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=period)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period)
        hits = 1
    return hits <= limit


def allow_request(request, scope: str, rate: str | None = None) -> bool:
    """Count one hit for the client's address (behind TRUSTED_PROXIES, the address they report)."""
    return allow(scope, client_key(request), rate)
