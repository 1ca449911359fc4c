"""Rate limits behind a real reverse proxy on 127.0.0.1 (issue 13, section 4).

The portal (pytest-django's live server) sits behind `ReverseProxy`, which appends the address it
saw to X-Forwarded-For, and TRUSTED_PROXIES names the proxy. Browsers connect from addresses of their
own. Reproductions: before, every visitor had the proxy's address, so 5 wrong passwords from one
client blocked another's correct login and one client's newsletter posts closed the form for
everyone; and DRF's anonymous throttle keyed on the client's own X-Forwarded-For, so 20 of 20
requests with random headers passed a 5/hour limit.
"""

import random
from urllib.parse import urlsplit

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.accounts.factories import PASSWORD, UserFactory

from .reverse_proxy import PROXY_ADDRESS, Browser, ReverseProxy

MALLORY, ALICE, BOB = "127.0.0.2", "127.0.0.3", "127.0.0.4"
OUTSIDER = "127.0.0.9"  # reaches the application server directly, not through the proxy

TOO_MANY_FAILURES = "Too many failed login attempts"
WRONG_PASSWORD = "you specified are not correct"


class Site:
    def __init__(self, proxy_url: str, direct_url: str):
        self.proxy_url = proxy_url
        self.direct_url = direct_url

    def via_proxy(self, address: str) -> Browser:
        return Browser(address, self.proxy_url)

    def direct(self, address: str) -> Browser:
        return Browser(address, self.direct_url)


@pytest.fixture
def site(live_server, settings):
    settings.TRUSTED_PROXIES = [PROXY_ADDRESS]
    port = urlsplit(live_server.url).port
    assert port is not None
    with ReverseProxy("127.0.0.1", port) as proxy:
        yield Site(proxy.url, f"http://127.0.0.1:{port}")


def random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def spoofed() -> dict:
    return {"X-Forwarded-For": random_address()}


def make_user(email: str):
    """A verified volunteer (no countries: these tests need no reference data, so they load none)."""
    return UserFactory(email=email, countries=())


def sign_in(browser: Browser, email: str, password: str):
    return browser.post_form("/accounts/login/", "/accounts/login/", {"login": email, "password": password})


# --- failed logins ------------------------------------------------------------------------------------


def test_failed_logins_of_one_client_do_not_block_another_client(site):
    make_user("alice@example.org")
    mallory, alice = site.via_proxy(MALLORY), site.via_proxy(ALICE)
    for n in range(5):
        assert WRONG_PASSWORD in sign_in(mallory, f"guess{n}@example.org", "wrong-password").body
    refused = sign_in(mallory, "alice@example.org", PASSWORD)
    assert refused.status == 200
    assert TOO_MANY_FAILURES in refused.body  # Mallory's address is blocked ...
    assert sign_in(alice, "alice@example.org", PASSWORD).status == 302  # ... Alice's is not


def test_failed_logins_are_limited_per_account_too(site):
    make_user("alice@example.org")
    make_user("bob@example.org")
    for n in range(5):  # five wrong passwords for Alice, each from another address
        guess = sign_in(site.via_proxy(f"127.0.1.{n + 1}"), "alice@example.org", "wrong-password")
        assert WRONG_PASSWORD in guess.body
    fresh = site.via_proxy("127.0.1.99")
    assert TOO_MANY_FAILURES in sign_in(fresh, "alice@example.org", PASSWORD).body  # the account is held
    assert sign_in(fresh, "bob@example.org", PASSWORD).status == 302  # the address is not


def test_a_spoofed_header_sent_directly_does_not_escape_the_login_limit(site):
    make_user("alice@example.org")
    outsider = site.direct(OUTSIDER)
    for n in range(5):
        sign_in_spoofed = outsider.post_form(
            "/accounts/login/",
            "/accounts/login/",
            {"login": f"guess{n}@example.org", "password": "wrong-password"},
            headers=spoofed(),
        )
        assert WRONG_PASSWORD in sign_in_spoofed.body
    assert TOO_MANY_FAILURES in sign_in(outsider, "alice@example.org", PASSWORD).body


# --- the newsletter form ------------------------------------------------------------------------------


def subscribe(browser: Browser, n: int, headers: dict | None = None):
    data = {"email": f"reader{n}@example.org", "consent": "on", "source_page": "/", "website": ""}
    return browser.post_form("/newsletter/", "/newsletter/subscribe/", data, headers=headers)


def test_newsletter_posts_of_one_client_do_not_close_the_form_for_another(site, settings):
    settings.PUBLIC_FORM_RATE = "3/h"
    mallory, alice = site.via_proxy(MALLORY), site.via_proxy(ALICE)
    # Mallory's own X-Forwarded-For is kept by the proxy but never read: the proxy's entry is.
    assert [subscribe(mallory, n, headers=spoofed()).status for n in range(4)] == [302, 302, 302, 429]
    assert subscribe(alice, 9).status == 302


def test_newsletter_ignores_a_spoofed_header_sent_directly(site, settings):
    settings.PUBLIC_FORM_RATE = "3/h"
    outsider = site.direct(OUTSIDER)
    assert [subscribe(outsider, n, headers={"X-Forwarded-For": ALICE}).status for n in range(4)] == [302] * 3 + [429]
    assert subscribe(site.via_proxy(ALICE), 9).status == 302  # Alice was not charged for it


# --- the API's anonymous throttle ---------------------------------------------------------------------


@pytest.fixture
def five_an_hour(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "5/hour", "user": "5000/hour", "upload": "60/hour"}
    )


def test_api_throttle_keys_on_the_client_the_proxy_reports(site, five_an_hour):
    mallory = site.via_proxy(MALLORY)
    statuses = [mallory.get("/api/v1/sources/", headers=spoofed()).status for _ in range(20)]
    assert statuses == [200] * 5 + [429] * 15
    assert site.via_proxy(ALICE).get("/api/v1/sources/").status == 200


def test_api_throttle_ignores_a_spoofed_header_sent_directly(site, five_an_hour):
    outsider = site.direct(OUTSIDER)
    statuses = [outsider.get("/api/v1/sources/", headers=spoofed()).status for _ in range(20)]
    assert statuses == [200] * 5 + [429] * 15
    claims_to_be_bob = outsider.get("/api/v1/sources/", headers={"X-Forwarded-For": BOB})
    assert claims_to_be_bob.status == 429
    assert site.via_proxy(BOB).get("/api/v1/sources/").status == 200


def test_without_trusted_proxies_the_header_is_ignored_even_from_the_proxy(site, settings, five_an_hour):
    settings.TRUSTED_PROXIES = []
    statuses = [site.via_proxy(MALLORY).get("/api/v1/sources/", headers=spoofed()).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # everyone is the proxy now: safe, if coarse
    assert site.via_proxy(ALICE).get("/api/v1/sources/").status == 429
