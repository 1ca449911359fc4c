"""Pages format numbers and dates for the reader's language; files and the API never do (issue 21)."""

from datetime import date

import pytest
from django.core.cache import cache

from dataset import errata
from dataset.models import Erratum
from places.models import Location, Metric
from tests.dataset.api.builders import make_source, publish, series

SERIES = "/api/v1/observations/?location=IT&metric=confirmed"
LANGUAGES = ["fr-FR,fr;q=0.9", "ar", "zh-CN", "es", "pt-PT"]


@pytest.fixture
def published(reference_data, make_user):
    publish(series("IT", "confirmed", "2020-03-01", [1694, 20360, 1250000]), source=make_source())
    errata.save(
        erratum=Erratum(
            location=Location.objects.get(key="IT_25"),
            metric=Metric.objects.get(code="confirmed"),
            start=date(2020, 3, 2),
            end=date(2020, 3, 3),
            what_is_wrong="A backlog of 1,250,000 tests",
            source_said="Bulletin",
        ),
        user=make_user("rev@example.org", role="reviewer", countries=("IT",)),
    )


def body(client, url, language):
    cache.clear()  # the API keeps answers per release: each language must make its own
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "plain"),
    [
        (SERIES, [b"2020-03-03", b"1250000"]),  # ISO dates, plain numbers
        (SERIES + "&format=csv", [b"2020-03-03", b"1250000"]),
        ("/data/errata/?format=csv", [b"2020-03-02", b"2020-03-03"]),
        ("/api/v1/errata/", [b"2020-03-02", b"2020-03-03"]),
    ],
)
def test_files_and_the_api_are_the_same_bytes_in_every_language(client, published, url, plain):
    english = body(client, url, "en")
    assert all(text in english for text in plain), english[:500]
    for language in LANGUAGES:
        assert body(client, url, language) == english, language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1,250,000"),
        ("fr", ("1\xa0250\xa0000", "1\u202f250\u202f000")),  # no-break space or narrow no-break space
        ("ar", "1,250,000"),  # CLDR's Arabic with Western digits (portal/formats/ar)
        ("zh-hans", "1,250,000"),  # CLDR's grouping, which Django's Chinese lacks (portal/formats/zh_Hans)
        ("pt", "1.250.000"),
    ],
)
def test_a_pages_numbers_are_grouped_for_the_language(client, published, language, expected):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    start = page.index('data-testid="world-confirmed"')
    shown = page[page.index(">", start) + 1 : page.index("<", start)]
    assert shown in (expected if isinstance(expected, tuple) else (expected,)), shown
