"""The sources list page and its filters, and the admin's check of registered URLs."""

import pytest

from sources.models import Source

from .factories import make_registry, make_source

# --- the list ---------------------------------------------------------------------------------------


def listed_names(response) -> set[str]:
    return {source.name for source in response.context["page"].object_list}


@pytest.fixture
def registry(reference_data):
    return make_registry()


@pytest.mark.django_db
def test_the_public_list_shows_approved_and_retired_sources_only(client, registry):
    assert listed_names(client.get("/sources/")) == {"Italy ministry", "RKI", "WHO reports", "Retired feed"}


@pytest.mark.django_db
def test_reviewers_also_see_proposed_and_rejected_sources(client, registry, make_user):
    client.force_login(make_user("rev@example.org", role="reviewer"))
    names = listed_names(client.get("/sources/"))
    assert {"Pending page", "Rejected blog"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=IT", {"Italy ministry", "Retired feed"}),
        ("country=none", {"WHO reports"}),
        ("institution_type=public_health", {"RKI"}),
        ("status=retired", {"Retired feed"}),
        ("metric=deaths", {"Italy ministry", "WHO reports"}),
        ("q=rki", {"RKI"}),
        ("country=IT&metric=confirmed", {"Italy ministry"}),
    ],
)
def test_list_filters(client, registry, query, expected):
    assert listed_names(client.get(f"/sources/?{query}")) == expected


@pytest.mark.django_db
def test_the_public_cannot_filter_their_way_to_proposed_sources(client, registry):
    assert listed_names(client.get("/sources/?status=proposed")) == {
        "Italy ministry",
        "RKI",
        "WHO reports",
        "Retired feed",
    }


@pytest.mark.django_db
def test_an_invalid_filter_does_not_drop_the_valid_ones(client, registry):
    assert listed_names(client.get("/sources/?status=proposed&country=DE")) == {"RKI"}


@pytest.mark.django_db
def test_volunteers_see_their_own_proposals_in_the_list_but_not_others(client, registry, make_user):
    proposer = make_user("p@example.org")
    mine = make_source(name="My proposal", status=Source.Status.PROPOSED, proposed_by=proposer)
    client.force_login(proposer)
    names = listed_names(client.get("/sources/?status=proposed"))
    assert names == {mine.name}


@pytest.mark.django_db
def test_staff_changing_a_url_to_a_registered_one_in_the_admin_get_a_form_error(client, registry, make_user):
    staff = make_user("s@example.org", role="staff")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/sources/source/add/").status_code == 200
    source = registry["de"]
    response = client.post(
        f"/admin/sources/source/{source.pk}/change/",
        {
            "name": source.name,
            "institution": source.institution,
            "institution_type": source.institution_type,
            "country": source.country.pk,
            "url": "http://www." + registry["it"].url[len("https://") :] + "/",
            "cadence": source.cadence,
            "priority": source.priority,
            "status": source.status,
            "consecutive_check_failures": 0,
        },
    )
    assert response.status_code == 200
    assert "already has this URL" in response.content.decode()
    source.refresh_from_db()
    assert source.url != registry["it"].url


@pytest.mark.django_db
def test_the_list_page_does_not_query_once_per_source(client, reference_data, django_assert_max_num_queries):
    for _ in range(40):
        make_source(metrics=["confirmed", "deaths"])
    with django_assert_max_num_queries(8):
        response = client.get("/sources/")
    assert len(response.context["page"].object_list) == 40
