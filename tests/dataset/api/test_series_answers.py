"""A query on one whole series is answered from the series' payload once a release's series are warmed:
the same bytes as the database path, no read of the observations, and a release invalidates only
the series it changed."""

import pytest
from django.core.cache import cache
from django.db import connection

from dataset.api import series_answers
from dataset.api.caching import STATE_KEY, ReleaseState
from dataset.selectors import latest_release

from .builders import make_source, publish, series

URL = "/api/v1/observations/"

QUERIES = [
    "location=IT&metric=confirmed",
    "location=it&metric=CONFIRMED",
    "location=IT,&metric=confirmed&format=json",
    "location=IT&metric=confirmed&date_from=2020-03-02",
    "location=IT&metric=confirmed&date_to=2020-03-03",
    "location=IT&metric=confirmed&date_from=2020-03-02&date_to=2020-03-05",
    "location=IT&metric=confirmed&date_from=2020-03-05&date_to=2020-03-02",
    "location=IT&metric=confirmed&date_from=2021-01-01",
    "location=IT&metric=confirmed&ordering=-date",
    "location=IT&metric=confirmed&ordering=-date&date_from=2020-03-03",
    "location=IT&metric=confirmed&page_size=5",
    "location=IT&metric=confirmed&page_size=2",  # more than a page: the paginator's cursors
    "location=IT&metric=confirmed&format=csv",
    "location=IT&metric=confirmed&format=csv&ordering=-date&date_to=2020-03-04",
    "location=IT_25&metric=confirmed&format=csv",
    "location=IT&metric=deaths",
    "location=DE&metric=deaths",  # no such series
    "location=XX&metric=confirmed",  # unknown key: 400
    "location=IT&metric=confirmed&date_from=March",  # not a date: 400
    "location=IT&metric=confirmed&source=999",
    "location=IT,DE&metric=confirmed",
]
ANSWERED = set(QUERIES[:11] + QUERIES[12:16])  # the others take the database path


@pytest.fixture
def dataset(reference_data):
    ministry, other = make_source(), make_source("Civil Protection")
    publish(
        {
            # a gap (no 2020-03-04), a fraction, a big number, values from two sources and releases
            **series("IT", "confirmed", "2020-03-01", [1694, 2036.5, 2502]),
            ("IT", "confirmed", "2020-03-05"): 123456789012.0,
            **series("IT", "deaths", "2020-03-01", [34, 52, 79]),
            **series("IT_25", "confirmed", "2020-03-01", [984, 1254, 1520]),
            **series("DE", "confirmed", "2020-03-01", [130, 159, 196]),
        },
        source=ministry,
    )
    publish({("IT", "confirmed", "2020-03-02"): 2037, ("IT", "confirmed", "2020-03-06"): 0.1}, source=other)
    return {"ministry": ministry, "other": other}


class Reads:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def observations(self) -> bool:
        return any("dataset_observation" in sql for sql in self.statements)


def from_database(client, query):
    cache.clear()
    series_answers.forget_local()
    response = client.get(f"{URL}?{query}")
    assert response.get("X-Cache") != "series"
    return response


def warmed() -> None:
    cache.clear()
    series_answers.forget_local()
    series_answers.warm_series(latest_release())


@pytest.mark.parametrize("query", QUERIES)
def test_a_series_answer_is_byte_for_byte_the_database_answer(client, dataset, query):
    expected = from_database(client, query)
    warmed()
    reads = Reads()
    with connection.execute_wrapper(reads):
        answered = client.get(f"{URL}?{query}")
    assert answered.status_code == expected.status_code
    body = b"".join(answered.streaming_content) if answered.streaming else answered.content
    assert body == (b"".join(expected.streaming_content) if expected.streaming else expected.content)
    assert answered["Content-Type"] == expected["Content-Type"]
    assert (answered.get("X-Cache") == "series") == (query in ANSWERED)
    if query in ANSWERED:
        assert not reads.observations()


@pytest.mark.parametrize("query", ["location=IT&metric=confirmed", "location=DE&metric=confirmed&format=csv"])
def test_after_warming_a_series_query_reads_no_observation(client, dataset, query):
    warmed()
    reads = Reads()
    with connection.execute_wrapper(reads):
        response = client.get(f"{URL}?{query}&date_to=2020-03-02")
    assert response["X-Cache"] == "series"
    assert not reads.observations()


def test_a_release_shows_its_new_values_and_rewrites_only_the_series_it_changed(client, dataset):
    warmed()
    publish({("IT", "confirmed", "2020-03-07"): 3000}, source=dataset["ministry"])
    cache.delete(STATE_KEY)
    assert client.get(f"{URL}?location=IT&metric=confirmed").get("X-Cache") == "miss"  # not warmed yet
    count, written = series_answers.warm_series(latest_release())
    assert (count, written) == (4, 1)
    values = [
        row["value"] for row in client.get(f"{URL}?location=IT&metric=confirmed&date_from=2020-03-06").json()["results"]
    ]
    assert values == [0.1, 3000.0]


def test_a_payload_missing_from_the_cache_is_written_by_the_first_query(client, dataset):
    warmed()
    release = latest_release()
    location_id, metric_id, version = series_answers.versions(ReleaseState(release.number, release.created_at))[
        ("IT", "confirmed")
    ]
    cache.delete(series_answers.payload_key(location_id, metric_id, version))  # evicted
    series_answers.forget_local()
    first = client.get(f"{URL}?location=IT&metric=confirmed&date_from=2020-03-03")
    assert first["X-Cache"] == "series"
    reads = Reads()
    with connection.execute_wrapper(reads):
        again = client.get(f"{URL}?location=IT&metric=confirmed&date_to=2020-03-03")
    assert again["X-Cache"] == "series"
    assert [row["value"] for row in again.json()["results"]] == [1694.0, 2037.0, 2502.0]
    assert not reads.observations()


@pytest.mark.parametrize("length", [0, 1, 3])
def test_a_payload_comes_back_from_the_cache_whole(length):
    from datetime import date, timedelta

    rows = [(date(2020, 3, 1) + timedelta(days=n), "IT", "confirmed", n + 0.5, 3, 1) for n in range(length)]
    written = series_answers.write_payload(rows)
    cache.set("a-payload", written)  # pickled, as every cache backend stores it
    back = cache.get("a-payload")
    assert (back.days, back.json, back.json_offsets, back.csv, back.csv_offsets) == (
        written.days,
        written.json,
        written.json_offsets,
        written.csv,
        written.csv_offsets,
    )
    assert len(back.days) == length
