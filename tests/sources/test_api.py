"""GET /api/v1/sources/ is public (approved only; reviewers and staff see every status), filtered by
sources.filters.SourceFilter."""

import pytest

from sources.models import Source

from .factories import make_source

URL = "/api/v1/sources/"


@pytest.fixture
def sources(reference_data):
    return {
        "approved": make_source(name="Approved", metrics=["confirmed"]),
        "retired": make_source(name="Retired", status=Source.Status.RETIRED),
        "proposed": make_source(name="Proposed", status=Source.Status.PROPOSED),
        "rejected": make_source(name="Rejected", status=Source.Status.REJECTED),
    }


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


ALL = {"Approved", "Retired", "Proposed", "Rejected"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "visible"),
    [("anonymous", {"Approved"}), ("volunteer", {"Approved"}), ("reviewer", ALL), ("staff", ALL)],
)
def test_list_permissions(api, sources, users, who, visible):
    if users[who]:
        api.force_authenticate(users[who])
    response = api.get(URL)
    assert response.status_code == 200
    assert names(response) == visible


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_of_proposed"),
    [("anonymous", 404), ("volunteer", 404), ("reviewer", 200), ("staff", 200)],
)
def test_retrieve_permissions(api, sources, users, who, status_of_proposed):
    if users[who]:
        api.force_authenticate(users[who])
    assert api.get(f"{URL}{sources['approved'].pk}/").status_code == 200
    assert api.get(f"{URL}{sources['proposed'].pk}/").status_code == status_of_proposed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=de", {"RKI"}),
        ("country=none", {"WHO"}),
        ("metric=deaths", {"WHO"}),
        ("institution_type=public_health", {"RKI"}),
        ("search=koch", {"RKI"}),
    ],
)
def test_list_filters(api, reference_data, query, expected):
    make_source(
        name="RKI",
        institution="Robert Koch-Institut",
        country="DE",
        institution_type="public_health",
        metrics=["confirmed"],
    )
    make_source(name="WHO", country=None, institution_type="international", metrics=["deaths"])
    assert names(api.get(f"{URL}?{query}")) == expected


@pytest.mark.django_db
def test_the_list_does_not_query_once_per_source(api, reference_data, django_assert_max_num_queries):
    for _ in range(40):
        make_source(metrics=["confirmed", "deaths"])
    with django_assert_max_num_queries(6):
        response = api.get(URL)
    assert response.json()["count"] == 40
