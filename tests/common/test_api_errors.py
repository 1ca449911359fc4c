"""The one error body of the API, written by common.api_errors.api_exception_handler."""

from rest_framework.exceptions import NotFound, ValidationError

from common.api_errors import Conflict, api_exception_handler


def body(exc: Exception) -> tuple[int, dict]:
    response = api_exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


def test_a_conflict_carries_its_code_and_its_own_fields_as_they_are():
    status, data = body(
        Conflict("That URL is already registered.", code="duplicate_source", existing={"id": 7, "name": "RKI"})
    )
    assert status == 409
    assert data == {
        "status": 409,
        "code": "duplicate_source",
        "detail": "That URL is already registered.",
        "existing": {"id": 7, "name": "RKI"},
    }


def test_a_conflict_without_a_code_says_conflict():
    assert body(Conflict("Already decided."))[1] == {"status": 409, "code": "conflict", "detail": "Already decided."}


def test_invalid_input_names_the_field_in_errors_and_at_the_top_level():
    status, data = body(ValidationError({"comment": ["A comment is required."]}))
    assert status == 400
    assert data["code"] == "invalid"
    assert data["detail"] == "comment: A comment is required."
    assert data["errors"] == {"comment": ["A comment is required."]} == {"comment": data["comment"]}


def test_not_found_has_the_same_shape():
    assert body(NotFound("No such thing."))[1] == {"status": 404, "code": "not_found", "detail": "No such thing."}
