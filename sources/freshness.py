"""Freshness checks of approved sources' URLs, safe against requests to private networks (SSRF).

Every host is resolved first and *every* address it resolves to must be public (or explicitly
allowed by settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES); the connection then goes to the address
that was checked, so a second DNS answer cannot redirect it. Redirects are followed by hand, a few
at most, and each target is checked the same way before anything connects to it.
"""

import http.client
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import VolunteerProfile

from .models import Source

REDIRECT_CODES = {301, 302, 303, 307, 308}
logger = logging.getLogger(__name__)

USER_AGENT = "covid19-open-data-freshness-check/1.0 (+https://github.com/)"


class CheckRefused(Exception):
    """The URL may not be fetched: bad scheme, unresolvable host, or a private address."""


@dataclass
class CheckResult:
    ok: bool
    status: int | None = None
    error: str = ""
    final_url: str = ""


def timeout_seconds() -> float:
    return float(settings.FRESHNESS_TIMEOUT_SECONDS)


def max_redirects() -> int:
    return int(settings.FRESHNESS_MAX_REDIRECTS)


def _allowed_networks() -> Literal[True] | list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """FRESHNESS_ALLOW_PRIVATE_ADDRESSES: False (default), True (any address: tests only), or a list
    of addresses/networks such as ["127.0.0.1/32"] that are allowed while every other private one stays refused."""
    allow = settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES
    if allow is True:
        return True
    if not allow:
        return []
    if isinstance(allow, str):
        allow = [part for part in allow.split(",") if part.strip()]
    return [ipaddress.ip_network(item.strip(), strict=False) for item in allow]


# IPv6 forms that carry an IPv4 address inside them (besides ::ffff:a.b.c.d, judged as that IPv4 address):
# IPv4-compatible ::a.b.c.d, NAT64 (64:ff9b::/96, 64:ff9b:1::/48); 6to4 and Teredo are found by ipaddress.
EMBEDDING_NETWORKS = tuple(ipaddress.IPv6Network(n) for n in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48"))


def embeds_ipv4(ip: ipaddress.IPv6Address) -> bool:
    """True for an IPv6 address that reaches an IPv4 one through a translator or tunnel."""
    return bool(ip.sixtofour or ip.teredo or any(ip in network for network in EMBEDDING_NETWORKS))


def address_allowed(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    embedded = isinstance(ip, ipaddress.IPv6Address) and embeds_ipv4(ip)
    if ip.is_global and not ip.is_multicast and not embedded:
        return True
    networks = _allowed_networks()
    if networks is True:
        return True
    return any(ip.version == net.version and ip in net for net in networks)


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to, after checking that every address of the host may be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CheckRefused(f"cannot resolve {host}: {exc.strerror or exc}")
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise CheckRefused(f"cannot resolve {host}")
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        # The address stays in the log: the message is stored and shown on the source's page.
        logger.info("freshness check of %s refused: it resolves to %s", host, ", ".join(refused))
        raise CheckRefused(f"refused: {host} resolves to a private or reserved address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with SNI and certificate checks against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _request(method: str, url: str, timeout: float) -> tuple[int, str | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckRefused(f"refused: only http and https URLs are checked ({url[:100]})")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"})
        response = connection.getresponse()
        if method == "GET":
            response.read(2048)  # enough to know the body starts; never download the file
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def _follow(method: str, url: str) -> CheckResult:
    current = url
    deadline = time.monotonic() + 3 * timeout_seconds()
    for _hop in range(max_redirects() + 1):
        if time.monotonic() > deadline:
            return CheckResult(ok=False, error="timed out following redirects", final_url=current)
        try:
            status, location = _request(method, current, timeout_seconds())
        except CheckRefused as exc:
            return CheckResult(ok=False, error=str(exc), final_url=current)
        except TimeoutError:
            return CheckResult(ok=False, error=f"timed out after {timeout_seconds():g}s", final_url=current)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: bad port, bad host text
            error = f"connection failed: {type(exc).__name__}: {exc}"[:300]
            return CheckResult(ok=False, error=error, final_url=current)
        if status in REDIRECT_CODES and location:
            current = urljoin(current, location)
            continue
        ok = 200 <= status < 300
        return CheckResult(ok=ok, status=status, error="" if ok else f"HTTP {status}", final_url=current)
    return CheckResult(ok=False, error=f"more than {max_redirects()} redirects", final_url=current)


def check_url(url: str) -> CheckResult:
    """HEAD first; if the server answers HEAD with an error status (many refuse HEAD), GET."""
    result = _follow("HEAD", url)
    if result.ok or result.status is None:
        return result
    return _follow("GET", url)


def record(*, source_id: int, result: CheckResult) -> bool:
    """Store the result on the source; True when this failure is the one that flags it."""
    now = timezone.now()
    rows = Source.objects.filter(pk=source_id)
    if result.ok:
        rows.update(
            last_checked_at=now, last_check_status=result.status, last_check_error="", consecutive_check_failures=0
        )
        return False
    rows.update(
        last_checked_at=now,
        last_check_status=result.status,
        last_check_error=result.error[:300],
        consecutive_check_failures=F("consecutive_check_failures") + 1,
    )
    failures = rows.values_list("consecutive_check_failures", flat=True).first()
    return failures == Source.FAILING_AFTER


def country_volunteer_emails(country_id: int) -> list[str]:
    profiles = VolunteerProfile.objects.filter(
        Q(primary_country_id=country_id) | Q(other_countries__id=country_id), user__is_active=True
    ).exclude(user__email="")
    return sorted(set(profiles.values_list("user__email", flat=True)))


def notify_flagged(*, source: Source) -> int:
    """Tell the volunteers of the source's country that its URL keeps failing; returns mails sent."""
    if source.country_id is None:
        return 0
    emails = country_volunteer_emails(source.country_id)
    context = {"source": source, "site_url": settings.SITE_URL}
    body = render_to_string("sources/email/source_failing.txt", context)
    with get_connection() as connection:
        for email in emails:
            EmailMessage(
                subject=f"Source not reachable: {source.name}", body=body, to=[email], connection=connection
            ).send()
    return len(emails)


def check_source(*, source_id: int) -> CheckResult | None:
    """Check one approved source, record the result, and alert its country's volunteers when flagged."""
    source = Source.objects.filter(pk=source_id, status=Source.Status.APPROVED).select_related("country").first()
    if source is None:
        return None
    result = check_url(source.url)
    if record(source_id=source.pk, result=result):
        source.refresh_from_db()
        notify_flagged(source=source)
    return result
