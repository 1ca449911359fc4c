"""The caches a release empties are filled again by the release's own task (dataset/warming.py): the first
readers after a release are answered without reading the observations."""

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.utils import translation

from dataset import ended, tasks, warming
from dataset.api import series_answers
from places.models import Metric
from tests.dataset.api.builders import make_source, publish, series

SERIES = "/api/v1/observations/?location=IT&metric=confirmed"


@pytest.fixture
def released(reference_data):
    source = make_source()
    release = publish(
        {
            **series("IT", "confirmed", "2020-03-01", [1694, 2036, 2502]),
            **series("IT", "deaths", "2020-03-01", [34, 52, 79]),
            **series("DE", "confirmed", "2020-03-01", [130, 159, 196]),
            **series("IT_25", "confirmed", "2020-03-01", [984, 1254, 1520]),
        },
        source=source,
    )
    return {"source": source, "release": release}


class TouchedTables:
    """The SQL statements run inside the block, to check which tables a request read."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def read(self, table: str) -> bool:
        return any(table in sql for sql in self.statements)


def requested_after_warming(client, url: str, **headers):
    touched = TouchedTables()
    with connection.execute_wrapper(touched):
        response = client.get(url, **headers)
    return response, touched


@pytest.mark.parametrize("url", [SERIES, SERIES + "&format=csv", "/api/v1/observations/?location=DE&metric=confirmed"])
def test_after_warming_a_countrys_series_is_answered_without_reading_observations(client, released, url):
    tasks.warm_caches(released["release"].pk)
    response, touched = requested_after_warming(client, url)
    assert response.status_code == 200
    assert response["X-Cache"] == "series"  # from the series' payload, which the warming wrote
    assert not touched.read("dataset_observation")


def test_a_warmed_answer_is_the_one_a_reader_would_have_computed(client, released):
    tasks.warm_caches(released["release"].pk)
    warmed = client.get(SERIES).json()
    cache.clear()
    series_answers.forget_local()
    computed = client.get(SERIES)
    assert computed["X-Cache"] == "miss"
    assert computed.json() == warmed


def test_the_series_a_country_lacks_is_not_warmed(client, released):
    outcome = tasks.warm_caches(released["release"].pk)
    response = client.get("/api/v1/observations/?location=DE&metric=deaths")
    assert response["X-Cache"] == "miss"
    assert outcome == 6  # IT confirmed and deaths, DE confirmed: each as JSON and as CSV


def test_a_query_readers_repeat_is_warmed_after_the_next_release(client, released):
    popular = "/api/v1/observations/?location=IT_25&metric=confirmed&date_from=2020-03-02"
    once = "/api/v1/observations/?location=IT_25&metric=confirmed&date_from=2020-03-03"
    for _ in range(4):
        client.get(popular)
    client.get(once)
    release = publish({("IT_25", "confirmed", "2020-03-04"): 1700}, source=released["source"])
    tasks.warm_caches(release.pk)
    response, touched = requested_after_warming(client, popular)
    assert response["X-Cache"] in ("hit", "series")
    assert [row["value"] for row in response.json()["results"]] == [1254, 1520, 1700]
    assert not touched.read("dataset_observation")
    assert client.get(once)["X-Cache"] == "series"  # asked once: no answer kept, but its series is ready


def test_after_warming_the_countries_index_reads_no_observation(client, released):
    tasks.warm_caches(released["release"].pk)
    response, touched = requested_after_warming(client, "/data/")
    assert response.status_code == 200
    assert b'data-key="IT"' in response.content
    assert not touched.read("dataset_observation")


@pytest.mark.parametrize("url", ["/data/?sort=-deaths", "/data/IT/"])
def test_after_warming_a_sort_of_the_index_and_a_countrys_page_read_no_observation(client, released, url):
    tasks.warm_caches(released["release"].pk)
    response, touched = requested_after_warming(client, url)
    assert response.status_code == 200
    assert not touched.read("dataset_observation")


def test_a_countrys_page_shows_the_values_of_a_new_release(client, released):
    client.get("/data/IT/")
    release = publish({("IT", "confirmed", "2020-03-04"): 3089}, source=released["source"])
    tasks.warm_caches(release.pk)
    assert b"3,089" in client.get("/data/IT/").content


def test_warming_an_older_release_stores_nothing(client, released):
    publish({("IT", "confirmed", "2020-03-04"): 3089}, source=released["source"])
    outcome = warming.warm_caches(released["release"])
    assert outcome.skipped
    assert client.get(SERIES)["X-Cache"] == "miss"


def test_a_release_that_no_longer_exists_is_not_warmed(db):
    assert tasks.warm_caches(987654) == 0


def test_a_merge_queues_the_warming_of_its_release(monkeypatch):
    from review import merge

    queued = []
    monkeypatch.setattr(merge, "dispatch", lambda task, *args: queued.append((task.name, args)))
    monkeypatch.setattr(merge.notifications, "queue", lambda *args: None)
    merge._after_merge(7, 42)
    assert ("dataset.tasks.warm_caches", (42,)) in queued


def test_with_an_emptied_cache_the_countries_index_reads_its_values_from_the_release_snapshot(client, released):
    from dataset import snapshots

    snapshots.advance(released["release"])  # as the merge writes it
    cache.clear()
    response, touched = requested_after_warming(client, "/data/?sort=-confirmed")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-key="IT"') < html.index('data-key="DE"')  # 2,502 before 196
    assert not touched.read("dataset_observation")


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_first_reader_in_another_language_after_a_release_is_given_the_warmed_fragment(client, released, language):
    release = released["release"]
    tasks.warm_caches(release.pk)

    def fragment(code):
        return cache.get(
            make_template_fragment_key("location_series", ["IT", release.pk, release.number, "", ended.version(), code])
        )

    warmed = fragment(language)  # before any reader asked
    response = client.get("/data/IT/", HTTP_ACCEPT_LANGUAGE=language)

    assert warmed is not None
    assert warmed in response.content.decode()
    confirmed = Metric.objects.get(code="confirmed")
    with translation.override(language):
        heading = f'<h2 id="metric-confirmed">{confirmed.label}</h2>'
    assert heading in warmed
    assert heading not in fragment("en")
