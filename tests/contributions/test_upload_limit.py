"""One upload limit per user (API_THROTTLE_UPLOAD) for the upload page, "replace file" and the API.

Reproduction (issue 13, section 4): with the API refusing the 4th upload in an hour, the upload page
took 6 of 6.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from contributions.models import Submission

from .test_api import post_file, token_client
from .test_uploads import italy_source, upload  # noqa: F401  (a fixture)


def csv_file(n: int) -> bytes:
    return f"date,location,metric,value\n2020-03-01,Italy,confirmed,{1000 + n}\n".encode()


@pytest.fixture
def three_uploads_an_hour(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "600/hour", "user": "5000/hour", "upload": "3/hour"}
    )


def replace(client, submission, n):
    return client.post(
        reverse("contributions:replace", args=[submission.pk]), {"file": SimpleUploadedFile("fixed.csv", csv_file(n))}
    )


@pytest.mark.django_db
def test_the_upload_page_stops_at_the_api_limit(client, make_user, italy_source, three_uploads_an_hour):  # noqa: F811
    client.force_login(make_user("busy@example.org"))
    answers = [upload(client, italy_source, content=csv_file(n), name=f"u{n}.csv") for n in range(6)]
    assert [answer.status_code for answer in answers[:3]] == [302, 302, 302]
    assert Submission.objects.count() == 3
    refused = answers[3]
    assert refused.status_code == 200
    assert b"you can upload again in" in refused.content
    assert [answer.status_code for answer in answers[4:]] == [200, 200]
    assert Submission.objects.count() == 3


@pytest.mark.django_db
def test_the_page_replace_and_the_api_share_one_counter_per_user(
    client,
    make_user,
    italy_source,  # noqa: F811
    three_uploads_an_hour,
    django_capture_on_commit_callbacks,
):
    busy = make_user("busy@example.org")
    client.force_login(busy)
    api = token_client(busy)

    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, italy_source, content=csv_file(1), name="page.csv").status_code == 302
    submission = Submission.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replace(client, submission, 2)
    submission.refresh_from_db()
    assert submission.version == 2  # the replacement counted once
    assert post_file(api, italy_source, content=csv_file(3)).status_code == 201  # third of three

    # The limit is reached for every path.
    assert post_file(api, italy_source, content=csv_file(4)).status_code == 429
    refused_page = upload(client, italy_source, content=csv_file(5), name="page2.csv")
    assert b"you can upload again in" in refused_page.content
    refused_replace = replace(client, submission, 6)
    assert refused_replace.status_code == 302
    submission.refresh_from_db()
    assert submission.version == 2
    assert Submission.objects.count() == 2
    page = client.get(submission.get_absolute_url())
    assert b"you can upload again in" in page.content  # the refusal is shown where replace reports errors

    # The counter is per user: another volunteer is not held back.
    assert post_file(token_client(make_user("other@example.org")), italy_source, content=csv_file(7)).status_code == 201


@pytest.mark.django_db
def test_a_refused_api_upload_says_when_to_come_back(make_user, italy_source, three_uploads_an_hour):  # noqa: F811
    api = token_client(make_user("busy@example.org"))
    for n in range(3):
        assert post_file(api, italy_source, content=csv_file(n)).status_code == 201
    refused = post_file(api, italy_source, content=csv_file(9))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["code"] == "throttled"
