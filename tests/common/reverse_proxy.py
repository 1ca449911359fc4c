"""A reverse proxy and browsers with their own addresses, all on the loopback network, for tests.

`ReverseProxy` is nginx in miniature: it listens on 127.0.0.1, forwards each request to the
application from 127.0.0.1 and appends the address it saw to `X-Forwarded-For`, as
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does. `Browser` sends requests from an
address of its own (127.0.0.2, 127.0.0.3 ...: Linux routes all of 127.0.0.0/8 to the loopback
interface), keeps cookies and does not follow redirects.
"""

import functools
import http.client
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
PROXY_ADDRESS = "127.0.0.1"


class _ProxyHandler(BaseHTTPRequestHandler):
    upstream: tuple[str, int]

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() != "x-forwarded-for"
        }
        peer = self.client_address[0]
        forwarded = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded}, {peer}" if forwarded else peer
        upstream = http.client.HTTPConnection(*self.upstream, timeout=60, source_address=(PROXY_ADDRESS, 0))
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length", "server", "date"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_HEAD(self) -> None:
        self._forward()

    def log_message(self, format, *args):
        pass


class ReverseProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        handler = type("Handler", (_ProxyHandler,), {"upstream": (upstream_host, upstream_port)})
        self.server = ThreadingHTTPServer((PROXY_ADDRESS, 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "ReverseProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Answer:
    status: int
    body: str
    headers: Message


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A client at `address` (a loopback address other than the proxy's) talking to `base_url`."""

    def __init__(self, address: str, base_url: str):
        self.address = address
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            _FromAddress(address), urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        encoded = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=encoded, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read().decode(), response.headers)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_form(self, page: str, action: str, data: dict, headers: dict | None = None) -> Answer:
        """Open `page` (for the CSRF cookie), then post `data` with its token to `action`."""
        self.get(page)
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        return self.request("POST", action, {**data, "csrfmiddlewaretoken": token}, headers)
