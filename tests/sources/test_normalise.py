"""Source URLs are compared after normalisation, so one page cannot be registered twice."""

import pytest

from sources.models import normalise_url

CANONICAL = "https://salute.gov.it/covid/dati"


@pytest.mark.parametrize(
    "variant",
    [
        "http://salute.gov.it/covid/dati",  # scheme
        "HTTPS://SALUTE.GOV.IT/covid/dati",  # scheme and host case
        "https://www.salute.gov.it/covid/dati",  # www
        "https://salute.gov.it/covid/dati/",  # trailing slash
        "https://salute.gov.it/covid/dati#latest",  # fragment
        "https://salute.gov.it/covid/dati?utm_source=twitter&utm_medium=social",  # utm_*
        "https://salute.gov.it/covid/dati?fbclid=IwAR0abc",  # fbclid
        "https://salute.gov.it/covid/dati?gclid=xyz&mc_cid=1&_ga=2.1",  # other trackers
        "https://salute.gov.it:443/covid/dati",  # default port
        "  https://salute.gov.it/covid/dati  ",  # surrounding spaces
        "salute.gov.it/covid/dati",  # typed without a scheme
        "https://salute.gov.it.//covid//dati",  # trailing dot on host, doubled slashes
    ],
)
def test_variants_of_one_page_normalise_to_the_same_url(variant):
    assert normalise_url(variant) == CANONICAL


def test_meaningful_query_parameters_are_kept_and_sorted():
    assert normalise_url("https://example.org/api?region=IT&format=csv&utm_campaign=x") == (
        "https://example.org/api?format=csv&region=IT"
    )


def test_different_pages_stay_different():
    assert normalise_url("https://example.org/data/it") != normalise_url("https://example.org/data/de")
    assert normalise_url("https://example.org/data?country=IT") != normalise_url("https://example.org/data?country=DE")


def test_path_case_is_kept_because_servers_may_distinguish_it():
    assert normalise_url("https://example.org/Data.CSV") == "https://example.org/Data.CSV"


def test_non_default_port_is_kept():
    assert normalise_url("http://example.org:8080/x") == "https://example.org:8080/x"
