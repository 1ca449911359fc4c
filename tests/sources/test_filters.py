"""One filter behind the sources page and the API: what each reads from it, and the failing threshold."""

import pytest

from sources.filters import SourceFilter, SourceListFilter
from sources.models import Source

from .factories import make_registry, make_source


@pytest.fixture
def registry(reference_data):
    return make_registry()


def page_names(client, query: str) -> set[str]:
    return {source.name for source in client.get(f"/sources/?{query}").context["page"].object_list}


def api_names(client, query: str) -> set[str]:
    response = client.get(f"/api/v1/sources/?{query}")
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_the_page_reads_the_apis_filter_and_adds_its_search_box():
    assert issubclass(SourceListFilter, SourceFilter)
    assert set(SourceListFilter.base_filters) == {*SourceFilter.base_filters, "q"}


@pytest.mark.django_db
def test_a_country_key_in_any_case_filters_the_api_while_the_page_offers_only_its_menu(client, registry):
    assert api_names(client, "country=de") == {"RKI"}
    assert page_names(client, "country=DE") == {"RKI"}
    assert page_names(client, "country=de") == page_names(client, "")


@pytest.mark.django_db
def test_an_unknown_metric_finds_nothing_in_the_api_and_is_ignored_by_the_page(client, registry):
    assert api_names(client, "metric=cases_per_moon") == set()
    assert page_names(client, "metric=cases_per_moon") == page_names(client, "")


@pytest.mark.django_db
def test_a_value_outside_a_choice_is_a_400_in_the_api(client, registry):
    assert client.get("/api/v1/sources/?institution_type=astrologer").status_code == 400


@pytest.mark.django_db
def test_failing_sources_are_those_at_the_threshold_or_above(reference_data):
    below = make_source(consecutive_check_failures=Source.FAILING_AFTER - 1)
    at = make_source(consecutive_check_failures=Source.FAILING_AFTER)
    above = make_source(consecutive_check_failures=Source.FAILING_AFTER + 1)
    assert set(Source.objects.failing()) == {at, above}
    assert [s.is_failing for s in (below, at, above)] == [False, True, True]
