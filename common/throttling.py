"""DRF throttles that key anonymous clients on `common.client_ip.client_key`.

DRF's own `get_ident` believes the whole `X-Forwarded-For` a client sends when `NUM_PROXIES` is
unset, so a client choosing a new header per request is never throttled; and with `NUM_PROXIES` set
it still believes the header on requests that did not come through the proxy. These classes ask the
one function that honours `TRUSTED_PROXIES` instead (settings: `DEFAULT_THROTTLE_CLASSES`).
"""

from rest_framework import throttling
from rest_framework.request import Request

from .client_ip import client_key


class ClientAddressIdent:
    def get_ident(self, request: Request) -> str:
        return client_key(request)


class AnonRateThrottle(ClientAddressIdent, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressIdent, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressIdent, throttling.ScopedRateThrottle):
    pass
