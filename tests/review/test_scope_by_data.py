"""Scope is decided by the places in the data (issue 13, §1): reproductions through the pages and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Submission
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

GERMAN_ROWS = b"date,location,metric,value\n2023-03-01,Germany,deaths,999999\n2023-03-01,Berlin,deaths,5\n"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(user, source, content, captured, name="data.csv"):
    with captured(execute=True):
        response = api(user).post(
            "/api/v1/submissions/", {"file": SimpleUploadedFile(name, content), "source": source.pk}, format="multipart"
        )
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


@pytest.fixture
def us_reviewer(make_user):
    return make_user("reviewer-us@example.org", role="reviewer", countries=("US",))


@pytest.fixture
def all_countries_reviewer(make_user):
    user = make_user("reviewer-all@example.org", role="reviewer", countries=())
    user.reviewer_scope.all_countries = True
    user.reviewer_scope.save()
    return user


def test_german_rows_in_an_italian_submission_are_refused_naming_the_rows(
    volunteer, italy_source, django_capture_on_commit_callbacks
):
    submission = upload(volunteer, italy_source, GERMAN_ROWS, django_capture_on_commit_callbacks)
    assert submission.status == Submission.Status.INVALID
    outside = [p for p in submission.report["problems"] if p["code"] == "location_outside_country"]
    assert [p["value"] for p in outside] == ["DE"]
    assert outside[0]["rows"] == [2]
    assert "Germany" in outside[0]["message"]
    assert "Italy" in outside[0]["message"]
    assert list(submission.countries.all()) == []


def test_a_constant_place_or_a_mapped_name_cannot_move_rows_out_of_a_national_source(
    volunteer, italy_source, django_capture_on_commit_callbacks
):
    constant = b"date,metric,value\n2023-03-01,deaths,999999\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(volunteer).post(
            "/api/v1/submissions/",
            {
                "file": SimpleUploadedFile("c.csv", constant),
                "source": italy_source.pk,
                "mapping": '{"location": "DE"}',
            },
            format="multipart",
        )
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Submission.Status.INVALID, submission.report
    assert "location_outside_country" in submission.report["counts"]
    mapped = b"date,location,metric,value\n2023-03-01,Lombardia,deaths,7\n2023-03-01,Bavaria,deaths,9\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(volunteer).post(
            "/api/v1/submissions/",
            {
                "file": SimpleUploadedFile("m.csv", mapped),
                "source": italy_source.pk,
                "mapping": '{"locations": {"Bavaria": "DE_BY"}}',
            },
            format="multipart",
        )
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Submission.Status.INVALID
    outside = [p for p in submission.report["problems"] if p["code"] == "location_outside_country"]
    assert [(p["value"], p["rows"]) for p in outside] == [("DE_BY", [3])]


def test_a_valid_file_records_the_countries_of_its_values(volunteer, italy_source, django_capture_on_commit_callbacks):
    rows = b"date,location,metric,value\n2023-03-01,Lombardia,deaths,7\n2023-03-01,Italy,deaths,9\n"
    submission = upload(volunteer, italy_source, rows, django_capture_on_commit_callbacks)
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert [c.key for c in submission.countries.all()] == ["IT"]
    assert submission.report["countries"] == [{"key": "IT", "name": "Italy", "values": 2}]


@pytest.fixture
def international_german_rows(make_user, reference_data, django_capture_on_commit_callbacks):
    """A file of an international source with only German rows, uploaded by a volunteer from the US."""
    american = make_user("us-volunteer@example.org", countries=("US",))
    who = make_source(country=None, institution_type="international")
    rows = b"date,location,metric,value\n2023-03-01,Germany,deaths,999999\n2023-03-01,Germany,confirmed,5\n"
    return upload(american, who, rows, django_capture_on_commit_callbacks)


def test_an_international_file_with_only_german_rows_goes_to_german_reviewers(
    international_german_rows, german_reviewer, us_reviewer, django_capture_on_commit_callbacks
):
    submission = international_german_rows
    assert submission.country.key == "US"  # the submitter's country: not what decides
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert [c.key for c in submission.countries.all()] == ["DE"]
    queue = api(german_reviewer).get("/api/v1/review/queue/").json()["results"]
    assert [(item["id"], item["countries"]) for item in queue] == [(submission.pk, ["DE"])]
    assert api(us_reviewer).get("/api/v1/review/queue/").json()["results"] == []
    response = api(us_reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api(german_reviewer).post(
            f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json"
        )
    assert response.status_code == 200, response.content


def test_the_queue_page_lists_the_countries_and_only_to_reviewers_whose_scope_meets_them(
    client, international_german_rows, german_reviewer, us_reviewer
):
    client.force_login(german_reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert f"#{international_german_rows.pk}" in page
    assert "<td>DE</td>" in page
    client.force_login(us_reviewer)
    assert f"#{international_german_rows.pk}<" not in client.get(reverse("review:queue")).content.decode()
    assert client.get(reverse("review:detail", args=[international_german_rows.pk])).status_code == 404


def test_places_in_an_international_file_resolve_worldwide_not_in_the_submitters_country(
    make_user, reference_data, django_capture_on_commit_callbacks
):
    """A WHO file uploaded by a volunteer from the US: Berlin and Lombardy are found where they are."""
    american = make_user("us-volunteer@example.org", countries=("US",))
    who = make_source(country=None, institution_type="international")
    rows = b"date,location,metric,value\n2023-03-01,Berlin,confirmed,5\n2023-03-01,Lombardy,confirmed,7\n"
    submission = upload(american, who, rows, django_capture_on_commit_callbacks)
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["problems"]
    assert sorted(c.key for c in submission.countries.all()) == ["DE", "IT"]


def test_the_queue_filter_by_country_follows_the_data(international_german_rows, make_user):
    """Filtering the queue by Germany finds the file with German rows, by the US (the submitter's) not."""
    everyone = make_user("all-countries@example.org", role="reviewer", countries=())
    queue = "/api/v1/review/queue/"
    assert [item["id"] for item in api(everyone).get(queue, {"country": "DE"}).json()["results"]] == [
        international_german_rows.pk
    ]
    assert api(everyone).get(queue, {"country": "US"}).json()["results"] == []


@pytest.fixture
def italian_and_german(volunteer, reference_data):
    """Validated data of an international source with Italian and German values."""
    frame = frame_for(["IT", "DE"], ["deaths"], ["2023-03-01"], value=lambda i: 999_999)
    return make_submission(
        submitter=volunteer, source=make_source(country=None, institution_type="international"), frame=frame
    )


@pytest.mark.parametrize(
    ("role", "sees", "may_decide"),
    [
        ("italy_only", True, False),
        ("germany_only", True, False),
        ("us_only", False, False),
        ("italy_and_germany", True, True),
        ("all_countries", True, True),
        ("staff", True, True),
        ("volunteer", False, False),
    ],
)
def test_who_may_act_on_data_of_two_countries(make_user, italian_and_german, role, sees, may_decide):
    countries = {"italy_only": ("IT",), "germany_only": ("DE",), "us_only": ("US",), "italy_and_germany": ("IT", "DE")}
    kind = {"staff": "staff", "volunteer": "volunteer"}.get(role, "reviewer")
    user = make_user(f"{role}@example.org", role=kind, countries=countries.get(role, ()))
    if role == "all_countries":
        user.reviewer_scope.all_countries = True
        user.reviewer_scope.save()
    client = api(user)
    queue = client.get("/api/v1/review/queue/")
    listed = queue.status_code == 200 and italian_and_german.pk in [i["id"] for i in queue.json()["results"]]
    assert listed == sees
    claim_page = APIClient()
    claim_page.force_login(user)
    claimed = claim_page.post(reverse("review:claim", args=[italian_and_german.pk]))
    italian_and_german.refresh_from_db()
    assert (italian_and_german.claimed_by_id == user.pk) == may_decide, claimed
    response = client.post(f"/api/v1/submissions/{italian_and_german.pk}/approve/", {"version": 1}, format="json")
    expected = 200 if may_decide else (403 if sees or kind == "volunteer" else 404)
    assert response.status_code == expected, response.content
    if sees and not may_decide and kind == "reviewer":
        assert "which you do not review" in response.json()["detail"]
