"""locations/, metrics/, releases/ and ping/: what a data user looks up before asking for values."""

from dataset.models import ReleaseFile

from .builders import make_source, publish, series


def names(response):
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def test_location_by_key_names_its_parent(client_api, reference_data):
    body = client_api.get("/api/v1/locations/IT_25/").json()
    assert (body["name"], body["level"], body["parent"], body["country_code"]) == ("Lombardia", "region", "IT", "IT")


def test_locations_filtered_by_level_and_country(client_api, reference_data):
    keys = names(client_api.get("/api/v1/locations/", {"level": "region", "country": "it", "page_size": 50}))
    assert "IT_25" in keys
    assert "IT_62" in keys
    assert all(key.startswith("IT_") for key in keys)


def test_locations_filtered_by_parent(client_api, reference_data):
    keys = names(client_api.get("/api/v1/locations/", {"parent": "IT", "page_size": 50}))
    assert "IT_25" in keys
    assert "IT" not in keys


def test_location_search_finds_aliases_ignoring_accents_and_case(client_api, reference_data):
    assert names(client_api.get("/api/v1/locations/", {"search": "korea, south", "level": "country"})) == ["KR"]
    assert "DE" in names(client_api.get("/api/v1/locations/", {"search": "deutschland"}))


def test_unknown_location_is_a_404_in_the_error_format(client_api, reference_data):
    response = client_api.get("/api/v1/locations/NOWHERE/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "No Location matches the given query."}


def test_metrics_list_their_kind(client_api, reference_data):
    metrics = {m["code"]: m["kind"] for m in client_api.get("/api/v1/metrics/").json()}
    assert metrics["confirmed"] == "cumulative"
    assert client_api.get("/api/v1/metrics/deaths/").json()["code"] == "deaths"


def test_releases_newest_first_with_counts_and_export_links(client_api, reference_data):
    source = make_source()
    publish(series("IT", "confirmed", "2020-03-01", [1, 2]), source=source)
    second = publish({("IT", "confirmed", "2020-03-02"): 3, ("IT", "confirmed", "2020-03-03"): 4}, source=source)
    ReleaseFile.objects.create(
        release=second, format="tidy", name="observations.csv", path="2/observations.csv", size=1234, sha256="ab" * 32
    )
    body = client_api.get("/api/v1/releases/").json()
    assert [r["number"] for r in body["results"]] == [2, 1]
    latest = body["results"][0]
    assert (latest["values_added"], latest["values_changed"]) == (1, 1)
    assert latest["files"][0]["url"].endswith("/data/downloads/2/observations.csv")
    assert latest["files"][0]["size"] == 1234
    assert latest["files"][0]["sha256"] == "ab" * 32
    assert client_api.get("/api/v1/releases/1/").json()["values_added"] == 2


def test_a_checksum_still_being_computed_is_null_not_an_empty_string(client_api, reference_data):
    release = publish(series("IT", "confirmed", "2020-03-01", [1]), source=make_source())
    ReleaseFile.objects.create(
        release=release, format="csv", name="observations.csv", path="1/observations.csv", size=10, sha256=""
    )
    assert client_api.get(f"/api/v1/releases/{release.number}/").json()["files"][0]["sha256"] is None


def test_ping_answers_without_the_database(client_api, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client_api.get("/api/v1/ping/")
    assert response.json() == {"status": "ok", "version": "v1"}
