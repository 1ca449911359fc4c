"""The SSRF guard's view of addresses: IPv6 forms that embed an IPv4 address are refused, and the
address a host resolves to is never stored, shown on the source's page or given by the API."""

import socket
from unittest import mock

import pytest

from sources import freshness
from tests.sources.factories import SourceFactory


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 well-known prefix, 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::808:808",  # NAT64 of a public address: still refused, the form itself is the risk
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:808:808::1",  # 6to4 of a public address
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::1",
        "fe80::1%eth0",
    ],
)
def test_ipv6_forms_that_embed_an_ipv4_address_are_refused(settings, address):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = False
    assert not freshness.address_allowed(address)


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"])
def test_allowing_an_ipv4_address_does_not_allow_its_embedded_forms(settings, address):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    assert freshness.address_allowed("127.0.0.1")
    assert not freshness.address_allowed(address)


@pytest.mark.parametrize("address", ["2606:4700:4700::1111", "2a00:1450:4001:82a::200e", "93.184.216.34"])
def test_public_addresses_are_allowed(settings, address):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = False
    assert freshness.address_allowed(address)


def test_a_host_resolving_to_an_embedded_form_is_refused_without_connecting(settings):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    answers = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::7f00:1", 80, 0, 0))]
    with (
        mock.patch("sources.fetching.socket.getaddrinfo", return_value=answers),
        mock.patch("sources.fetching.socket.create_connection") as connect,
    ):
        result = freshness.check_url("http://nat64.example.org/data.csv")
    assert not result.ok
    assert result.error.startswith("refused")
    connect.assert_not_called()


@pytest.mark.django_db
def test_the_resolved_address_is_not_shown_on_the_page_or_in_the_api(client, reference_data, settings):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = False
    source = SourceFactory(url="http://internal.example.org/data.csv")
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 80))]
    with mock.patch("sources.fetching.socket.getaddrinfo", return_value=answers):
        freshness.check_source(source_id=source.pk)
    source.refresh_from_db()
    assert source.last_check_error
    assert "10.20.30.40" not in source.last_check_error
    page = client.get(source.get_absolute_url()).content.decode()
    assert "private or reserved address" in page
    assert "10.20.30.40" not in page
    assert "10.20.30.40" not in client.get(f"/api/v1/sources/{source.pk}/").content.decode()
