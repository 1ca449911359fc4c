"""Deployment checks of our own settings, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks

W001 = checks.Warning(
    "TRUSTED_PROXIES is empty while the portal believes a proxy's X-Forwarded-Proto "
    "(SECURE_PROXY_SSL_HEADER): behind that proxy every request comes from its address, so every "
    "per-address rate limit (sign-in, public forms, the API) counts all visitors as one.",
    hint="Set TRUSTED_PROXIES to the proxy's address or network (127.0.0.1 for nginx on the same host; "
    "docs/deployment.md).",
    id="portal.W001",
)


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxies_named(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(settings, "TRUSTED_PROXIES", ()):
        return [W001]
    return []
