"""Fetching official URLs safely: the one HTTP client of the freshness checks and the feeds.

Against requests to private networks (SSRF), every host is resolved first and *every* address it
resolves to must be public (or explicitly allowed by settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES);
the connection then goes to the address that was checked, so a second DNS answer cannot redirect
it. Redirects are followed by hand, a few at most, and each target is checked the same way before
anything connects to it. Every request has a timeout; a download has a size cap; a feed's fetch is
conditional (If-None-Match / If-Modified-Since) and returns the SHA-256 of what it got.
"""

import hashlib
import http.client
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECT_CODES = {301, 302, 303, 307, 308}
logger = logging.getLogger(__name__)

USER_AGENT = "covid19-open-data-fetcher/1.0 (+https://github.com/)"
PEEK_BYTES = 2048  # what a freshness check reads: enough to know the body starts


class CheckRefused(Exception):
    """The URL may not be fetched: bad scheme, unresolvable host, or a private address."""


class TooLarge(Exception):
    """The body is larger than the cap."""


@dataclass
class Response:
    status: int
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass
class Outcome:
    """A request after redirects: `response` is None when it could not be made (then `error` says why)."""

    ok: bool
    status: int | None = None
    error: str = ""
    final_url: str = ""
    response: Response | None = None


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
        logger.info("fetch of %s refused: it resolves to %s", host, ", ".join(refused))
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


def _read_capped(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise TooLarge(f"the file is {int(length):,} bytes; the limit is {max_bytes:,}")
    body = response.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise TooLarge(f"the file is larger than the limit of {max_bytes:,} bytes")
    return body


def request(
    method: str, url: str, *, timeout: float, headers: dict[str, str] | None = None, max_bytes: int | None = None
) -> Response:
    """One request to a checked address. GET reads the whole body up to `max_bytes` (TooLarge past it),
    or only its first PEEK_BYTES when `max_bytes` is None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckRefused(f"refused: only http and https URLs are fetched ({url[:100]})")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close", **(headers or {})}
    try:
        connection.request(method, path, headers=sent)
        response = connection.getresponse()
        body = b""
        if method == "GET":
            if max_bytes is None:
                body = response.read(PEEK_BYTES)
            elif 200 <= response.status < 300:
                body = _read_capped(response, max_bytes)
        received = {name.lower(): value for name, value in response.getheaders()}
        return Response(status=response.status, location=response.getheader("Location"), headers=received, body=body)
    finally:
        connection.close()


def follow(
    method: str,
    url: str,
    *,
    timeout: float | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> Outcome:
    """`request`, following redirects (each target checked); errors become an Outcome with `error`."""
    timeout = timeout_seconds() if timeout is None else timeout
    current = url
    deadline = time.monotonic() + 3 * timeout
    for _hop in range(max_redirects() + 1):
        if time.monotonic() > deadline:
            return Outcome(ok=False, error="timed out following redirects", final_url=current)
        try:
            response = request(method, current, timeout=timeout, headers=headers, max_bytes=max_bytes)
        except CheckRefused as exc:
            return Outcome(ok=False, error=str(exc), final_url=current)
        except TooLarge as exc:
            return Outcome(ok=False, error=f"too large: {exc}", final_url=current)
        except TimeoutError:
            return Outcome(ok=False, error=f"timed out after {timeout:g}s", final_url=current)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: bad port, bad host text
            error = f"connection failed: {type(exc).__name__}: {exc}"[:300]
            return Outcome(ok=False, error=error, final_url=current)
        if response.status in REDIRECT_CODES and response.location:
            current = urljoin(current, response.location)
            continue
        ok = 200 <= response.status < 300
        error = "" if ok else f"HTTP {response.status}"
        return Outcome(ok=ok, status=response.status, error=error, final_url=current, response=response)
    return Outcome(ok=False, error=f"more than {max_redirects()} redirects", final_url=current)


@dataclass
class Download:
    """A conditional GET: `content` is None when nothing new came (304) or it failed (`error`)."""

    ok: bool
    status: int | None = None
    error: str = ""
    content: bytes | None = None
    sha256: str = ""
    etag: str = ""
    last_modified: str = ""
    final_url: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def download(
    url: str, *, etag: str = "", last_modified: str = "", max_bytes: int, timeout: float | None = None
) -> Download:
    """GET the whole file (at most `max_bytes`), asking the server to answer 304 when it has not changed."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    outcome = follow("GET", url, timeout=timeout, headers=headers, max_bytes=max_bytes)
    response = outcome.response
    if response is not None and response.status == 304:
        return Download(ok=True, status=304, etag=etag, last_modified=last_modified, final_url=outcome.final_url)
    if not outcome.ok or response is None:
        return Download(ok=False, status=outcome.status, error=outcome.error, final_url=outcome.final_url)
    return Download(
        ok=True,
        status=response.status,
        content=response.body,
        sha256=hashlib.sha256(response.body).hexdigest(),
        etag=response.headers.get("etag", "")[:300],
        last_modified=response.headers.get("last-modified", "")[:100],
        final_url=outcome.final_url,
    )
