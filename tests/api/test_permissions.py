"""Permission matrix: every API endpoint × every role → the status code that role gets.

The matrix is data: add a row (method, path, expected statuses) for a new endpoint. `ANYONE(200)`
means every role gets 200; `ROLE(...)` spells them out. Logged-in roles authenticate with an API
token, as scripts do. OBJECT_MATRIX rows act on a fresh object per role (`{pk}` in the path).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_token_for
from portal import api_v1
from portal.api_v1 import router
from tests.dataset.api.builders import make_source, publish, series
from tests.review.builders import make_submission
from tests.sources.factories import SourceFactory

ROLES = ("anonymous", "volunteer", "reviewer_in_scope", "reviewer_out_of_scope", "staff")


def ANYONE(status):  # noqa: N802 (reads as a table cell)
    return dict.fromkeys(ROLES, status)


def ROLE(anonymous, volunteer, reviewer_in_scope, reviewer_out_of_scope, staff):  # noqa: N802
    return dict(zip(ROLES, (anonymous, volunteer, reviewer_in_scope, reviewer_out_of_scope, staff), strict=True))


# Public data: anyone reads, nobody writes (405 is "this endpoint is read-only" for every role).
MATRIX = [
    ("GET", "/api/v1/", ANYONE(200)),
    ("GET", "/api/v1/ping/", ANYONE(200)),
    ("GET", "/api/v1/locations/", ANYONE(200)),
    ("GET", "/api/v1/locations/IT/", ANYONE(200)),
    ("GET", "/api/v1/locations/?search=lombardia", ANYONE(200)),
    ("POST", "/api/v1/locations/", ANYONE(405)),
    ("PUT", "/api/v1/locations/IT/", ANYONE(405)),
    ("DELETE", "/api/v1/locations/IT/", ANYONE(405)),
    ("GET", "/api/v1/metrics/", ANYONE(200)),
    ("GET", "/api/v1/metrics/confirmed/", ANYONE(200)),
    ("POST", "/api/v1/metrics/", ANYONE(405)),
    ("DELETE", "/api/v1/metrics/confirmed/", ANYONE(405)),
    ("GET", "/api/v1/releases/", ANYONE(200)),
    ("GET", "/api/v1/releases/1/", ANYONE(200)),
    ("POST", "/api/v1/releases/", ANYONE(405)),
    ("PATCH", "/api/v1/releases/1/", ANYONE(405)),
    ("DELETE", "/api/v1/releases/1/", ANYONE(405)),
    ("GET", "/api/v1/observations/?location=IT", ANYONE(200)),
    ("GET", "/api/v1/observations/?location=IT&format=csv", ANYONE(200)),
    ("GET", "/api/v1/observations/?as_of=1", ANYONE(200)),
    ("POST", "/api/v1/observations/", ANYONE(405)),
    ("PUT", "/api/v1/observations/", ANYONE(405)),
    ("DELETE", "/api/v1/observations/", ANYONE(405)),
    ("GET", "/api/v1/series/?location=IT&metric=confirmed", ANYONE(200)),
    ("GET", "/api/v1/series/?location=IT&metric=confirmed&format=csv", ANYONE(200)),
    ("POST", "/api/v1/series/", ANYONE(405)),
    ("GET", "/api/v1/errata/", ANYONE(200)),
    ("GET", "/api/v1/errata/?country=IT&date=2020-03-01", ANYONE(200)),
    ("POST", "/api/v1/errata/", ANYONE(405)),
    ("GET", "/api/v1/conflicts/", ANYONE(200)),
    ("GET", "/api/v1/conflicts/?country=IT&explained=false", ANYONE(200)),
    ("POST", "/api/v1/conflicts/", ANYONE(405)),
    ("GET", "/api/schema/", ANYONE(200)),
    ("GET", "/api/docs/", ANYONE(200)),
    # Other apps' endpoints (their own tests go deeper: object scopes, validation).
    ("GET", "/api/v1/sources/", ANYONE(200)),
    ("GET", "/api/v1/submissions/", ROLE(401, 200, 200, 200, 200)),
    ("GET", "/api/v1/review/queue/", ROLE(401, 403, 200, 200, 200)),
]

# Endpoints on one object in Italy: a fresh data upload (by another volunteer, awaiting review) for
# every role, so one role's decision cannot change what the next one gets. `{pk}` is its id.
OBJECT_MATRIX = [
    ("GET", "/api/v1/submissions/{pk}/", None, ROLE(401, 404, 200, 404, 200)),
    # Only its submitter may re-map an upload: a reviewer who sees it is refused, others do not see it.
    ("PATCH", "/api/v1/submissions/{pk}/", {"mapping": {"layout": "long"}}, ROLE(401, 404, 403, 404, 403)),
    ("POST", "/api/v1/submissions/{pk}/approve/", {"comment": "ok", "version": 1}, ROLE(401, 403, 200, 404, 200)),
    (
        "POST",
        "/api/v1/submissions/{pk}/reject/",
        {"comment": "wrong file", "version": 1},
        ROLE(401, 403, 200, 404, 200),
    ),
    (
        "POST",
        "/api/v1/submissions/{pk}/request-changes/",
        {"comment": "use the regional file", "version": 1},
        ROLE(401, 403, 200, 404, 200),
    ),
]


@pytest.fixture
def clients(make_user, reference_data):
    """One API client per role; logged-in roles carry their own token."""
    publish(series("IT", "confirmed", "2020-03-01", [1, 2]), source=make_source())
    users = {
        "volunteer": make_user("volunteer@example.org", role="volunteer", countries=("IT",)),
        "reviewer_in_scope": make_user("reviewer-it@example.org", role="reviewer", countries=("IT",)),
        "reviewer_out_of_scope": make_user("reviewer-de@example.org", role="reviewer", countries=("DE",)),
        "staff": make_user("staff@example.org", role="staff", countries=("IT",)),
    }
    made = {"anonymous": APIClient()}
    for role, user in users.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        made[role] = client
    return made


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_permission_matrix(clients, method, path, expected):
    got = {role: getattr(clients[role], method.lower())(path).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), OBJECT_MATRIX, ids=[f"{m} {p}" for m, p, _, _ in OBJECT_MATRIX]
)
def test_object_permission_matrix(clients, make_user, method, path, body, expected, role):
    submitter = make_user("submitter@example.org", role="volunteer", countries=("IT",))
    upload = make_submission(submitter=submitter, source=SourceFactory(country_key="IT"))
    response = getattr(clients[role], method.lower())(path.format(pk=upload.pk), body, format="json")
    assert response.status_code == expected[role], response.content


def upload_body(role):
    csv = f"date,location,metric,value\n2020-03-01,IT,confirmed,{len(role)}\n".encode()
    return {
        "file": SimpleUploadedFile(f"{role}.csv", csv, content_type="text/csv"),
        "source": SourceFactory(country_key="IT").pk,
    }


def proposal_body(role):
    return {
        "name": f"Health institute ({role})",
        "institution": "Institute",
        "institution_type": "public_health",
        "country": "IT",
        "url": f"https://{role.replace('_', '-')}.example.org/data.csv",
    }


# Creating things: a body made for each role (unique URLs, fresh files), sent as multipart or JSON.
CREATE_MATRIX = [
    ("/api/v1/submissions/", upload_body, "multipart", ROLE(401, 201, 201, 201, 201)),
    ("/api/v1/sources/", proposal_body, "json", ROLE(401, 201, 201, 201, 201)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body", "form", "expected"), CREATE_MATRIX, ids=[p for p, _, _, _ in CREATE_MATRIX])
def test_create_permission_matrix(clients, path, body, form, expected, role):
    response = clients[role].post(path, body(role), format=form)
    assert response.status_code == expected[role], response.content


def test_every_registered_api_endpoint_is_in_the_matrix():
    covered = {path.split("?")[0] for _, path, _ in MATRIX} | {path for _, path, _, _ in OBJECT_MATRIX}
    missing = [prefix for prefix, _, _ in router.registry if f"/api/v1/{prefix}/" not in covered]
    assert missing == []
    routes = [str(p.pattern).replace("<int:pk>", "{pk}") for p in api_v1.urlpatterns if hasattr(p, "pattern")]
    plain = [f"/api/v1/{route}" for route in routes if "<" not in route and "(" not in route and "^" not in route]
    assert [path for path in plain if path not in covered] == []


# Scope is decided by the data (issue 13): a fresh upload of an international source whose values are
# in Italy and Germany. Reviewers of either country see it; only a scope covering both may decide.
MIXED_MATRIX = [
    ("GET", "/api/v1/submissions/{pk}/", None, ROLE(401, 404, 200, 200, 200)),
    ("POST", "/api/v1/submissions/{pk}/approve/", {"version": 1}, ROLE(401, 403, 403, 403, 200)),
    ("POST", "/api/v1/submissions/{pk}/reject/", {"version": 1, "comment": "no"}, ROLE(401, 403, 403, 403, 200)),
    # a version the reviewer did not see: 409 for whoever may decide
    ("POST", "/api/v1/submissions/{pk}/approve/", {"version": 2}, ROLE(401, 403, 403, 403, 409)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MIXED_MATRIX, ids=[f"{m} {p} {b}" for m, p, b, _ in MIXED_MATRIX]
)
def test_permission_matrix_of_data_in_two_countries(clients, make_user, method, path, body, expected, role):
    from tests.review.builders import frame_for

    submitter = make_user("submitter@example.org", role="volunteer", countries=("IT",))
    source = SourceFactory(country_key=None, institution_type="international")
    upload = make_submission(
        submitter=submitter, source=source, frame=frame_for(["IT", "DE"], ["deaths"], ["2023-03-01"])
    )
    response = getattr(clients[role], method.lower())(path.format(pk=upload.pk), body, format="json")
    assert response.status_code == expected[role], response.content


# Two factors (issue 13, section 7): a reviewer or staff member who has not set up an authenticator app
# moderates nothing until they do (403 second_factor_required); reading stays as it was.
BARE = ("reviewer_without_second_factor", "staff_without_second_factor")
SECOND_FACTOR_MATRIX = [
    ("GET", "/api/v1/review/queue/", None, 403),
    ("GET", "/api/v1/submissions/", None, 200),
    ("GET", "/api/v1/submissions/{pk}/", None, 200),
    ("POST", "/api/v1/submissions/{pk}/approve/", {"comment": "ok", "version": 1}, 403),
    ("POST", "/api/v1/submissions/{pk}/reject/", {"comment": "no", "version": 1}, 403),
    ("POST", "/api/v1/submissions/{pk}/request-changes/", {"comment": "fix", "version": 1}, 403),
]


@pytest.mark.parametrize("role", BARE)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    SECOND_FACTOR_MATRIX,
    ids=[f"{m} {p}" for m, p, _, _ in SECOND_FACTOR_MATRIX],
)
def test_permission_matrix_without_a_second_factor(make_user, reference_data, method, path, body, expected, role):
    user = make_user(f"{role}@example.org", role=role.split("_")[0], countries=("IT",), second_factor=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    submitter = make_user("submitter@example.org", role="volunteer", countries=("IT",))
    upload = make_submission(submitter=submitter, source=SourceFactory(country_key="IT"))
    response = getattr(client, method.lower())(path.format(pk=upload.pk), body, format="json")
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "second_factor_required"
    upload.refresh_from_db()
    assert upload.status == "awaiting_review"
