"""Source freshness checks against a local HTTP server: up, 404, timeout, redirects, private addresses refused."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest

from sources import freshness
from sources.models import Source
from sources.tasks import check_all_sources
from tests.sources.factories import SourceFactory

PRIVATE_TARGETS = {
    "/to-10": "http://10.1.2.3/data.csv",
    "/to-link-local": "http://169.254.169.254/latest/meta-data/",
    "/to-192": "http://192.168.1.10:8080/export",
    "/to-ipv6-loopback": "http://[::1]:9/",
    "/to-ipv4-mapped": "http://[::ffff:10.0.0.1]/",
}


class Handler(BaseHTTPRequestHandler):
    hits: list = []

    def log_message(self, *args):
        pass

    def _answer(self, body: bool):
        Handler.hits.append((self.command, self.path))
        if self.path == "/slow":
            time.sleep(2)
        if self.path in PRIVATE_TARGETS:
            self.send_response(302)
            self.send_header("Location", PRIVATE_TARGETS[self.path])
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path in ("/ok", "/slow", "/no-head"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)


@pytest.fixture
def server(settings):
    settings.FRESHNESS_TIMEOUT_SECONDS = 0.5
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]  # this server only; every other private net refused
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def connections():
    """Every address a check connects to; the private targets must never appear."""
    seen = []
    real = socket.create_connection

    def spy(address, *args, **kwargs):
        seen.append(address[0])
        return real(address, *args, **kwargs)

    with mock.patch("sources.fetching.socket.create_connection", side_effect=spy):
        yield seen


def test_a_source_that_answers_is_up(server):
    result = freshness.check_url(f"{server}/ok")
    assert (result.ok, result.status, result.error) == (True, 200, "")
    assert Handler.hits == [("HEAD", "/ok")]


def test_a_missing_file_is_a_failure_with_its_status(server):
    result = freshness.check_url(f"{server}/missing")
    assert (result.ok, result.status, result.error) == (False, 404, "HTTP 404")
    assert [method for method, _ in Handler.hits] == ["HEAD", "GET"]  # GET tried when HEAD fails


def test_a_server_refusing_head_is_checked_with_get(server):
    result = freshness.check_url(f"{server}/no-head")
    assert (result.ok, result.status) == (True, 200)


def test_a_slow_server_times_out(server):
    started = time.monotonic()
    result = freshness.check_url(f"{server}/slow")
    assert not result.ok
    assert result.status is None
    assert "timed out" in result.error
    assert time.monotonic() - started < 1.9


def test_redirects_are_followed_to_an_allowed_address(server):
    result = freshness.check_url(f"{server}/moved")
    assert (result.ok, result.status, result.final_url) == (True, 200, f"{server}/ok")


def test_endless_redirects_stop_after_a_few(server, settings):
    settings.FRESHNESS_MAX_REDIRECTS = 3
    result = freshness.check_url(f"{server}/loop")
    assert not result.ok
    assert "more than 3 redirects" in result.error
    assert len(Handler.hits) == 4


@pytest.mark.parametrize("path", sorted(PRIVATE_TARGETS))
def test_a_redirect_to_a_private_address_is_refused_without_connecting(server, connections, path):
    result = freshness.check_url(f"{server}{path}")
    assert not result.ok
    assert result.error.startswith("refused")
    assert "private" in result.error
    assert set(connections) == {"127.0.0.1"}, connections
    assert [m for m, _ in Handler.hits] == ["HEAD"]  # refused outright: no GET retry either


def test_a_host_with_any_private_address_is_refused(server, connections):
    """DNS may answer with a public and a private address: one private address is enough to refuse."""
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 80)) for ip in ("93.184.216.34", "10.0.0.5")]
    with mock.patch("sources.fetching.socket.getaddrinfo", return_value=answers):
        result = freshness.check_url("http://mixed.example.org/data.csv")
    assert not result.ok
    assert "private" in result.error
    assert "10.0.0.5" not in result.error  # the resolved address is logged, never stored or shown
    assert connections == []


def test_loopback_is_refused_when_no_private_address_is_allowed(server, settings, connections):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = False
    result = freshness.check_url(f"{server}/ok")
    assert not result.ok
    assert "127.0.0.1" in result.error
    assert connections == []
    assert Handler.hits == []


def test_only_http_and_https_are_checked(settings):
    result = freshness.check_url("file:///etc/passwd")
    assert not result.ok
    assert "only http and https" in result.error


@pytest.mark.parametrize("url", ["http://example.org:99999/data.csv", "http://exa mple.org/x"])
def test_a_malformed_url_is_a_recorded_failure_not_a_crash(url):
    result = freshness.check_url(url)
    assert not result.ok
    assert result.error


def test_three_failures_in_a_row_flag_the_source_and_mail_its_volunteers_once(server, make_user, mailoutbox):
    make_user("it-volunteer@example.org", countries=("IT",))
    make_user("also-it@example.org", countries=("DE", "IT"))
    make_user("fr-volunteer@example.org", countries=("FR",))
    source = SourceFactory(name="Ministry feed", country_key="IT", url=f"{server}/missing")
    for expected in (1, 2, 3, 4):
        check_all_sources()
        source.refresh_from_db()
        assert source.consecutive_check_failures == expected
    assert source.is_failing
    assert source.last_check_status == 404
    assert source.last_check_error == "HTTP 404"
    assert source.last_checked_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == ["also-it@example.org", "it-volunteer@example.org"]
    assert "Ministry feed" in mailoutbox[0].body


def test_a_success_clears_the_failure_count(server, make_user):
    source = SourceFactory(url=f"{server}/ok")
    Source.objects.filter(pk=source.pk).update(consecutive_check_failures=5, last_check_error="HTTP 500")
    check_all_sources()
    source.refresh_from_db()
    assert (source.consecutive_check_failures, source.last_check_status, source.last_check_error) == (0, 200, "")
    assert not source.is_failing


def test_sources_not_approved_are_not_checked(server, reference_data):
    source = SourceFactory(url=f"{server}/ok")
    Source.objects.filter(pk=source.pk).update(status=Source.Status.PROPOSED)
    assert check_all_sources() == 0
    assert Handler.hits == []


@pytest.fixture
def tls_server(settings, tmp_path):
    """The same handler over HTTPS with a self-signed certificate for 127.0.0.1 made for this test."""
    import ssl
    import subprocess

    settings.FRESHNESS_TIMEOUT_SECONDS = 2
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    Handler.hits = []
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


def test_https_certificates_are_verified(tls_server):
    url, _cert = tls_server
    result = freshness.check_url(f"{url}/ok")
    assert not result.ok
    assert "CERTIFICATE_VERIFY_FAILED" in result.error


def test_https_to_a_trusted_certificate_is_up(tls_server):
    import ssl

    url, cert = tls_server
    trusting = ssl.create_default_context(cafile=str(cert))
    with mock.patch("http.client.ssl._create_default_https_context", return_value=trusting):
        result = freshness.check_url(f"{url}/ok")
    assert (result.ok, result.status) == (True, 200)


def test_the_beat_schedule_names_the_check_task(settings):
    assert settings.CELERY_BEAT_SCHEDULE["check-source-freshness"]["task"] == check_all_sources.name
