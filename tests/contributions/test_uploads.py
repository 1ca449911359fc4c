"""Uploading a data file: intake, storage, validation to a report, permissions, fixes and withdrawal."""

import csv
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contributions.models import Submission
from places.models import Location
from sources.models import Source
from tests.sources.factories import SourceFactory

LONG_CSV = (
    b"date,location,metric,value\n"
    b"2020-03-01,Italy,confirmed,1694\n"
    b"2020-03-02,Italy,confirmed,2036\n"
    b"2020-03-01,Italy,deaths,34\n"
    b"2020-03-02,Italy,deaths,52\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def italy_source(reference_data):
    return SourceFactory(
        name="Protezione Civile",
        institution="Dipartimento della Protezione Civile",
        url="https://github.com/pcm-dpc/COVID-19",
        licence="CC BY 4.0",
    )


@pytest.fixture
def volunteer(make_user):
    return make_user("giulia@example.org", countries=("IT",))


def upload(client, source, content=LONG_CSV, name="italia.csv"):
    return client.post(
        reverse("contributions:upload"),
        {
            "source": source.pk,
            "file": SimpleUploadedFile(name, content),
            "comment": "From the DPC repository",
        },
    )


@pytest.mark.django_db
def test_upload_page_needs_a_signed_in_volunteer(client):
    response = client.get(reverse("contributions:upload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_volunteer_who_has_not_finished_onboarding_is_sent_there(client, make_user, italy_source):
    client.force_login(make_user("new@example.org", countries=()))
    response = client.get(reverse("contributions:upload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:onboarding"))


@pytest.mark.django_db
def test_upload_stores_the_file_under_a_random_name_with_its_sha256(
    client, volunteer, italy_source, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, italy_source)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == submission.get_absolute_url()
    assert submission.kind == Submission.Kind.DATA
    assert submission.submitter == volunteer
    assert submission.country.key == "IT"
    assert submission.original_filename == "italia.csv"
    assert submission.sha256 == hashlib.sha256(LONG_CSV).hexdigest()
    assert submission.file.name.startswith("uploads/")
    assert "italia" not in submission.file.name
    assert submission.file.read() == LONG_CSV
    assert submission.status != Submission.Status.VALIDATING  # the (inline) task ran after commit


@pytest.mark.django_db
def test_a_valid_long_file_ends_awaiting_review_with_a_diff_and_preview(
    client, volunteer, italy_source, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert submission.row_count == 4
    assert submission.error_count == 0
    assert submission.diff["counts"]["new"] == 4
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Awaiting review" in page
    assert "1694" in page  # preview of the normalised rows


@pytest.mark.django_db
def test_a_png_renamed_csv_ends_invalid_with_a_clear_message(
    client, volunteer, italy_source, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source, content=PNG, name="data.csv")
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.INVALID
    assert submission.error_count >= 1
    message = submission.report["problems"][0]["message"]
    assert "PNG" in message
    assert message in client.get(submission.get_absolute_url()).content.decode()
    problems_csv = client.get(reverse("contributions:problems_csv", args=[submission.pk]))
    body = b"".join(problems_csv.streaming_content).decode()
    assert body.splitlines()[0].startswith("sheet,row")
    assert body.splitlines()[0].endswith(",error")
    assert "PNG" in body


@pytest.mark.django_db
def test_the_problems_csv_gives_the_rows_as_they_were_with_an_error_column(
    client, volunteer, italy_source, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    broken = LONG_CSV + b"2020-03-03,Atlantis,confirmed,99\n2020-03-04,Italy,confirmed,lots\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source, content=broken)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.INVALID
    response = client.get(reverse("contributions:problems_csv", args=[submission.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_row = {row["row"]: row for row in rows}
    assert by_row["6"]["location"] == "Atlantis"
    assert "Atlantis" in by_row["6"]["error"]
    assert by_row["7"]["value"] == "lots"
    assert "ERROR" in by_row["7"]["error"]
    assert "2" not in by_row  # rows without a problem are not repeated


@pytest.mark.django_db
def test_a_file_over_the_size_cap_is_refused_with_a_clear_message(client, volunteer, italy_source, settings):
    settings.UPLOAD_MAX_BYTES = 1_048_576
    client.force_login(volunteer)
    response = upload(client, italy_source, content=b"x" * (1_048_576 + 10))
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_the_same_file_again_for_the_same_source_is_flagged(client, volunteer, italy_source):
    client.force_login(volunteer)
    upload(client, italy_source)
    upload(client, italy_source, name="again.csv")
    first, second = Submission.objects.order_by("pk")
    assert first.duplicate_of is None
    assert second.duplicate_of == first
    assert "already submitted" in client.get(second.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "can_download"),
    [
        ("submitter", True),
        ("other_volunteer", False),
        ("reviewer_in_scope", True),
        ("reviewer_out_of_scope", False),
        ("staff", True),
        ("anonymous", False),
    ],
)
def test_only_the_submitter_reviewers_in_scope_and_staff_can_download_the_file(
    client, make_user, volunteer, italy_source, who, can_download
):
    client.force_login(volunteer)
    upload(client, italy_source)
    submission = Submission.objects.get()
    client.logout()
    users = {
        "submitter": volunteer,
        "other_volunteer": make_user("other@example.org", countries=("IT",)),
        "reviewer_in_scope": make_user("rev.it@example.org", role="reviewer", countries=("IT",)),
        "reviewer_out_of_scope": make_user("rev.de@example.org", role="reviewer", countries=("DE",)),
        "staff": make_user("staff@example.org", role="staff", countries=()),
        "anonymous": None,
    }
    if users[who]:
        client.force_login(users[who])
    response = client.get(reverse("contributions:download", args=[submission.pk]))
    if can_download:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == LONG_CSV
    else:
        assert response.status_code in (302, 404)
        assert client.get(submission.get_absolute_url()).status_code in (302, 404)


@pytest.mark.django_db
def test_a_corrected_file_replaces_the_current_one_and_keeps_the_earlier_version(
    client, volunteer, italy_source, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source, content=PNG, name="wrong.csv")
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.INVALID
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("contributions:replace", args=[submission.pk]), {"file": SimpleUploadedFile("fixed.csv", LONG_CSV)}
        )
    submission.refresh_from_db()
    assert submission.version == 2
    assert submission.original_filename == "fixed.csv"
    assert submission.status == Submission.Status.AWAITING_REVIEW
    earlier = submission.earlier_files.get()
    assert earlier.version == 1
    assert earlier.original_filename == "wrong.csv"
    assert earlier.report["problems"]  # the earlier report is kept with it


@pytest.mark.django_db
def test_the_submitter_can_withdraw_and_nobody_else(client, make_user, volunteer, italy_source):
    client.force_login(volunteer)
    upload(client, italy_source)
    submission = Submission.objects.get()
    client.force_login(make_user("rev@example.org", role="reviewer", countries=("IT",)))
    client.post(reverse("contributions:withdraw", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status != Submission.Status.WITHDRAWN
    client.force_login(volunteer)
    client.post(reverse("contributions:withdraw", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WITHDRAWN


@pytest.mark.django_db
def test_my_submissions_lists_status_and_counts(client, volunteer, italy_source, django_capture_on_commit_callbacks):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source, content=PNG, name="wrong.csv")
    page = client.get(reverse("contributions:mine")).content.decode()
    assert "wrong.csv" in page
    assert 'data-status="invalid"' in page


@pytest.mark.django_db
def test_status_endpoint_reports_progress(client, volunteer, italy_source):
    client.force_login(volunteer)
    upload(client, italy_source)  # no on_commit: the submission stays queued
    submission = Submission.objects.get()
    data = client.get(reverse("contributions:status", args=[submission.pk])).json()
    assert data["status"] == "validating"
    assert data["busy"] is True
    assert "progress" in data


@pytest.mark.django_db
def test_a_source_can_be_proposed_in_the_same_step_as_the_upload(
    client, volunteer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("contributions:upload"),
            {
                "new_source_name": "Istituto Superiore di Sanità",
                "new_source_type": "public_health",
                "new_source_url": "https://www.epicentro.iss.it/coronavirus/",
                "new_source_country": Location.objects.get(key="IT").pk,
                "new_source_licence": "CC BY 4.0",
                "file": SimpleUploadedFile("lombardia.csv", LONG_CSV),
            },
        )
    assert response.status_code == 302
    source = Source.objects.get(name="Istituto Superiore di Sanità")
    assert source.status == Source.Status.PROPOSED
    assert source.proposed_by == volunteer
    kinds = dict(Submission.objects.values_list("kind", "status"))
    assert kinds == {"source": "awaiting_review", "data": "awaiting_review"}


@pytest.mark.django_db
def test_proposing_a_registered_url_again_links_to_the_existing_source(client, volunteer, italy_source):
    client.force_login(volunteer)
    response = client.post(
        reverse("contributions:upload"),
        {
            "new_source_name": "DPC again",
            "new_source_type": "ministry",
            "new_source_url": "http://GitHub.com/pcm-dpc/COVID-19/?utm_source=x",
            "new_source_country": italy_source.country.pk,
            "file": SimpleUploadedFile("x.csv", LONG_CSV),
        },
    )
    assert response.status_code == 200
    assert f"?source={italy_source.pk}" in response.content.decode()
    assert not Submission.objects.exists()
    assert Source.objects.count() == 1
