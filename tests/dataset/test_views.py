"""The public data pages: what an anonymous visitor sees, with data and without, and the numbers match the DB."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from dataset.models import Observation
from places.models import Location, LocationAlias
from sources.models import Source
from tests.dataset.page_data import START, add_series, change_value, italy_and_france, make_release, make_source

pytestmark = pytest.mark.django_db


def country_rows(response) -> list[str]:
    """Location keys of the countries index's table rows, in order."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('<tr data-key="')[1:]]


def cell(response, key: str, metric: str) -> str:
    html = response.content.decode()
    row = html.split(f'<tr data-key="{key}">', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-metric="{metric}">', 1)[1].split("</td>", 1)[0].strip()


# --- countries index --------------------------------------------------------------------------


def test_countries_index_shows_each_country_with_data_and_its_latest_values(client, reference_data):
    italy_and_france()
    response = client.get(reverse("dataset:countries"))
    assert response.status_code == 200
    assert country_rows(response) == ["FR", "IT"]
    latest = Observation.objects.filter(location__key="IT", metric__code="confirmed").latest("date")
    assert cell(response, "IT", "confirmed") == f"{latest.value:,.0f}" == "3,089"
    assert cell(response, "IT", "deaths") == "107"
    assert cell(response, "IT", "sources") == "1"
    assert 'datetime="2020-03-04"' in response.content.decode()  # START + 9 days


def test_countries_index_counts_distinct_sources_per_country(client, reference_data):
    _source, release = italy_and_france()
    ministry = make_source(
        "Ministero della Salute", url="https://salute.gov.it/covid", institution_type=Source.InstitutionType.MINISTRY
    )
    add_series("IT", "recovered", [1, 2, 3], source=ministry, release=release)
    response = client.get(reverse("dataset:countries"))
    assert cell(response, "IT", "sources") == "2"
    assert cell(response, "FR", "sources") == "1"
    assert cell(response, "FR", "recovered").endswith("–</span>")


def test_countries_index_links_ships_and_events_with_data_apart_from_countries(client, reference_data):
    source, release = italy_and_france()
    add_series("SHIP_DIAMOND_PRINCESS", "confirmed", [61, 64, 135], source=source, release=release)
    response = client.get(reverse("dataset:countries"))
    assert "SHIP_DIAMOND_PRINCESS" not in country_rows(response)
    places = response.content.decode().split('data-testid="special-places">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/data/SHIP_DIAMOND_PRINCESS/">Diamond Princess</a>' in places
    assert "MS Zaandam" not in places


def test_countries_index_without_data_invites_help(client, reference_data):
    response = client.get(reverse("dataset:countries"))
    assert response.status_code == 200
    assert country_rows(response) == []
    assert "No data yet" in response.content.decode()


@pytest.mark.parametrize("query", ["italy", "ITA", "it", "bel paese"])
def test_countries_search_finds_a_country_by_name_code_or_alias(client, reference_data, query):
    italy_and_france()
    LocationAlias.objects.create(location=Location.objects.get(key="IT"), scheme="other", text="Bel Paese")
    response = client.get(reverse("dataset:countries"), {"q": query})
    assert country_rows(response) == ["IT"]


def test_countries_search_with_no_match_says_so(client, reference_data):
    italy_and_france()
    response = client.get(reverse("dataset:countries"), {"q": "Atlantis"})
    assert country_rows(response) == []
    assert "No country matches" in response.content.decode()


def test_countries_sort_by_latest_value_puts_the_largest_first_and_missing_last(client, reference_data):
    source, release = italy_and_france()
    add_series("DE", "deaths", [1, 2], source=source, release=release)  # Germany: no confirmed at all
    response = client.get(reverse("dataset:countries"), {"sort": "-confirmed"})
    assert country_rows(response) == ["IT", "FR", "DE"]

    assert country_rows(client.get(reverse("dataset:countries"), {"sort": "-name"})) == ["IT", "DE", "FR"]
    assert country_rows(client.get(reverse("dataset:countries"), {"sort": "name"})) == ["FR", "DE", "IT"]


def test_countries_sort_by_latest_date_puts_the_freshest_first(client, reference_data):
    source, release = italy_and_france()
    add_series("ES", "confirmed", [5], source=source, release=release, start=START + timedelta(days=30))
    response = client.get(reverse("dataset:countries"), {"sort": "-latest"})
    assert country_rows(response)[0] == "ES"


def test_countries_unknown_sort_falls_back_to_name(client, reference_data):
    italy_and_france()
    response = client.get(reverse("dataset:countries"), {"sort": "value; drop table"})
    assert response.status_code == 200
    assert country_rows(response) == ["FR", "IT"]


def test_countries_index_query_count_does_not_grow_with_countries(client, reference_data, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source, _release = italy_and_france()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dataset:countries"))
    second = make_release(description="Eight more countries")
    for key in ["DE", "ES", "PT", "BE", "NL", "AT", "CH", "SE"]:
        add_series(key, "confirmed", [1, 2, 3], source=source, release=second)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("dataset:countries"))
    assert len(country_rows(response)) == 10


def test_countries_index_shows_the_values_of_a_new_release(client, reference_data):
    source, _release = italy_and_france()
    assert cell(client.get(reverse("dataset:countries")), "IT", "confirmed") == "3,089"
    second = make_release(description="Italy corrections")
    change_value("IT", "confirmed", START + timedelta(days=9), 3100, source=source, release=second)
    assert cell(client.get(reverse("dataset:countries")), "IT", "confirmed") == "3,100"


def test_country_metric_published_only_per_region_shows_the_sum_of_its_regions(client, reference_data):
    source, release = italy_and_france()
    statcan = make_source(
        "Statistics Canada", url="https://statcan.gc.ca/covid", institution_type=Source.InstitutionType.STATISTICS
    )
    add_series("CA_ON", "confirmed", [10, 20, 30], source=source, release=release)
    add_series("CA_QC", "confirmed", [1, 2, 5], source=statcan, release=release)
    add_series("CA", "recovered", [0, 4], source=source, release=release)  # JHU: recovered for the country
    response = client.get(reverse("dataset:countries"))
    assert "CA" in country_rows(response)
    assert cell(response, "CA", "confirmed").endswith("</abbr> 35")
    assert cell(response, "CA", "recovered") == "4"
    assert cell(response, "CA", "sources") == "2"

    page = client.get(reverse("dataset:location", args=["CA"]))
    series = {s["code"]: s for s in page.context["chart_data"]["series"]}
    assert series["confirmed"]["values"] == [11, 22, 35]
    assert series["recovered"]["values"] == [0, 4]
    html = page.content.decode()
    assert "sum of its 2 regions" in html.split('data-testid="summed-confirmed"', 1)[1].split("</p>", 1)[0]
    assert 'data-testid="summed-recovered"' not in html
    sources = html.split('data-testid="sources">', 1)[1].split("</table>", 1)[0]
    assert "Statistics Canada" in sources
    assert "JHU CSSE COVID-19 Data" in sources


def test_provinces_under_a_region_without_data_count_in_the_country_sum(client, reference_data):
    """Italy's civil protection reports P.A. Trento and P.A. Bolzano, which ISO puts under Trentino-Alto Adige."""
    source = make_source(
        "Protezione Civile", url="https://github.com/pcm-dpc/COVID-19", institution_type=Source.InstitutionType.MINISTRY
    )
    release = make_release()
    add_series("IT_25", "confirmed", [1000, 1200], source=source, release=release)  # Lombardia
    add_series("IT_TN", "confirmed", [0, 3], source=source, release=release)
    add_series("IT_BZ", "confirmed", [1, 2], source=source, release=release)
    page = client.get(reverse("dataset:location", args=["IT"]))
    series = {s["code"]: s for s in page.context["chart_data"]["series"]}
    assert series["confirmed"]["values"] == [1001, 1205]
    assert cell(client.get(reverse("dataset:countries")), "IT", "confirmed").endswith("</abbr> 1,205")


def test_data_pages_refuse_post(client, reference_data):
    assert client.post(reverse("dataset:countries")).status_code == 405


# --- location page ----------------------------------------------------------------------------


def test_location_page_passes_each_series_with_daily_new_and_average_to_the_chart(client, reference_data):
    italy_and_france()
    response = client.get(reverse("dataset:location", args=["IT"]))
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(html.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    confirmed = next(s for s in data["series"] if s["code"] == "confirmed")
    db_values = list(
        Observation.objects.filter(location__key="IT", metric__code="confirmed")
        .order_by("date")
        .values_list("value", flat=True)
    )
    assert confirmed["values"] == db_values
    assert confirmed["dates"][0] == START.isoformat()
    assert confirmed["daily"][:3] == [None, 322 - 229, 400 - 322]
    # The first change is on day 1, so the first full 7-day window of changes ends on day 7.
    assert confirmed["average"][6] is None
    assert confirmed["average"][7] == round((2036 - 229) / 7, 2)
    assert [s["code"] for s in data["series"]] == ["confirmed", "deaths"]
    assert html.count('class="chart"') == 4
    assert 'data-testid="latest-confirmed">3,089<' in html


def test_location_page_shows_the_rise_over_the_last_seven_days(client, reference_data):
    italy_and_france()
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    assert html.split('data-testid="week-confirmed">', 1)[1].startswith("+2,689 in the last 7 days")  # 3089 - 400
    assert html.split('data-testid="week-deaths">', 1)[1].startswith("+95 ")  # 107 - 12


def test_location_page_has_a_text_alternative_for_each_chart(client, reference_data):
    italy_and_france()
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    assert 'role="img"' in html
    assert "latest value 3,089" in html
    table = html.split("Last 14 days as a table", 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Date</th>' in table
    assert "3,089" in table
    assert "587" in table
    newest = (START + timedelta(days=9)).isoformat()
    assert f'href="/data/IT/confirmed/provenance/?on={newest}"' in table


def test_location_page_links_each_metric_to_its_full_series_as_csv(client, reference_data):
    italy_and_france()
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    link = html.split('data-testid="csv-deaths"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = body.decode().strip().splitlines()
    assert len(lines) == 1 + Observation.objects.filter(location__key="IT", metric__code="deaths").count()
    assert lines[-1].startswith((START + timedelta(days=9)).isoformat() + ",IT,deaths,107,")


def test_location_page_without_data_says_so(client, reference_data):
    response = client.get(reverse("dataset:location", args=["PT"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No data for Portugal yet" in html
    assert 'class="chart"' not in html


def test_location_page_lists_regions_with_data_first_with_links(client, reference_data):
    source, release = italy_and_france()
    add_series("IT_25", "confirmed", [5, 8], source=source, release=release)
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    with_data = html.split('data-testid="subregions-with-data">', 1)[1].split("</ul>", 1)[0]
    lombardy = Location.objects.get(key="IT_25")
    assert f'href="/data/IT_25/">{lombardy.name}</a>' in with_data
    assert "region" in html.split("without data yet", 1)[0].rsplit("<summary>", 1)[1]


def test_region_page_shows_its_own_series_and_the_way_back_to_its_country(client, reference_data):
    source, release = italy_and_france()
    add_series("IT_25", "confirmed", [5, 8], source=source, release=release)
    response = client.get(reverse("dataset:location", args=["IT_25"]))
    assert response.status_code == 200
    assert [s.latest_value for s in response.context["series"]] == [8]
    assert '<a href="/data/IT/">Italy</a>' in response.content.decode()


def test_location_page_lists_sources_with_licences_and_the_release_of_the_last_change(client, reference_data):
    _source, _release = italy_and_france()
    italy = Location.objects.get(key="IT")
    ministry = make_source(
        "Dipartimento della Protezione Civile",
        url="https://github.com/pcm-dpc/COVID-19",
        institution_type=Source.InstitutionType.PUBLIC_HEALTH,
        country=italy,
        licence="CC BY 4.0 (DPC)",
    )
    second = make_release(description="Italy corrections")
    change_value("IT", "deaths", START, 8, source=ministry, release=second)
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    sources = html.split('data-testid="sources">', 1)[1].split("</table>", 1)[0]
    assert "JHU CSSE COVID-19 Data" in sources
    assert "Dipartimento della Protezione Civile" in sources
    assert "CC BY 4.0 (DPC)" in sources
    assert ">19<" in sources
    assert ">1<" in sources
    note = html.split('data-testid="release-note">', 1)[1].split("</div>", 1)[0]
    assert f"release {second.number}" in note


def test_unknown_location_gets_a_friendly_404_with_suggestions(client, reference_data):
    response = client.get("/data/Italy/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We have no place called" in html
    assert 'href="/data/IT/"' in html.split('data-testid="suggestions"', 1)[1]


@pytest.mark.parametrize("path", ["/data/%00/", "/data/IT%00/", "/data/%00/confirmed/provenance/", "/data/?q=%00"])
def test_nul_characters_in_a_key_or_search_are_not_a_server_error(client, reference_data, path):
    assert client.get(path).status_code in (200, 301, 404)


@pytest.mark.parametrize("release", ["²", "99999999999999999999", "7", "x"])
def test_an_unknown_release_in_the_selector_shows_the_latest_values_with_a_note(client, reference_data, release):
    italy_and_france()
    response = client.get(reverse("dataset:location", args=["IT"]), {"release": release})
    assert response.status_code == 200
    assert "There is no release" in response.content.decode()
    assert 'data-testid="latest-confirmed">3,089<' in response.content.decode()


def test_location_key_in_lower_case_redirects_to_the_canonical_page(client, reference_data):
    response = client.get("/data/it/")
    assert response.status_code == 301
    assert response["Location"] == "/data/IT/"


def test_the_countries_index_comes_in_pages(client, reference_data):
    source, release = make_source(), make_release()
    keys = list(Location.objects.filter(level=Location.Level.COUNTRY).order_by("name").values_list("key", flat=True))
    for key in keys[:60]:
        add_series(key, "confirmed", [1], source=source, release=release)
    first = client.get(reverse("dataset:countries"))
    assert len(country_rows(first)) == 50
    assert 'country-count">60</span> countries, 1–50 shown' in first.content.decode()
    second = client.get(reverse("dataset:countries"), {"page": 2})
    assert len(country_rows(second)) == 10
    assert set(country_rows(first)) | set(country_rows(second)) == set(keys[:60])
    assert 'rel="prev">← Previous</a>' in second.content.decode()
