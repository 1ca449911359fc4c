"""The client address every per-address limit counts: X-Forwarded-For believed only from TRUSTED_PROXIES."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.request import Request

from accounts.adapter import AccountAdapter
from common.client_ip import client_ip, client_key, parse_address, parse_trusted_proxies
from common.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


def test_a_trusted_proxy_reports_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", "203.0.113.5")) == "203.0.113.5"


def test_what_the_client_wrote_itself_is_never_read(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", "198.51.100.1, 10.9.9.9, 203.0.113.5")) == "203.0.113.5"


def test_a_request_that_did_not_come_through_a_trusted_proxy_keeps_its_own_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request_from("127.0.0.1", "198.51.100.1, 203.0.113.5, 10.1.2.3")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "203.0.113.5, garbage"])
def test_a_missing_or_malformed_report_leaves_the_proxy(settings, forwarded):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", forwarded)) == "127.0.0.1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5:4711 ", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("unknown", None),
    ],
)
def test_addresses_are_read_as_proxies_write_them(text, expected):
    address = parse_address(text)
    assert (str(address) if address else None) == expected


def test_ipv6_clients_are_counted_per_64(settings):
    settings.TRUSTED_PROXIES = []
    assert client_key(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_key(request_from("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::"
    assert client_key(request_from("203.0.113.5")) == "203.0.113.5"


def test_no_address_at_all_is_unknown(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("")) == "unknown"


def test_a_typo_in_trusted_proxies_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_trusted_proxies(["10.0.0.0/8", "nginx"])


@pytest.mark.parametrize("throttle", [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle])
def test_drf_throttles_and_allauth_ask_the_same_function(settings, throttle):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    spoofed = request_from("198.51.100.7", "203.0.113.5")
    assert throttle().get_ident(Request(spoofed)) == "198.51.100.7"  # DRF alone would say 203.0.113.5
    proxied = request_from("127.0.0.1", "203.0.113.5")
    assert throttle().get_ident(Request(proxied)) == "203.0.113.5"
    assert AccountAdapter(proxied).get_client_ip(proxied) == "203.0.113.5"


def test_failed_logins_are_limited_per_address_and_per_account(settings):
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    assert sorted(rate.rsplit("/", 1)[1] for rate in rates) == ["ip", "key"]
