"""The add_user management command: verified accounts with a role, a scope and an API token."""

import hashlib
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, User


def add_user(*args):
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["volunteer", "reviewer", "staff"])
def test_add_user_creates_a_verified_account_with_the_role(role, reference_data, client):
    lines = add_user("person@example.org", "--password", "pw-123456-long", "--role", role, "--countries", "IT,DE")
    user = User.objects.get(email="person@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert user.groups.filter(name=role).exists()
    assert user.is_staff == (role == "staff")
    assert user.is_reviewer == (role in ("reviewer", "staff"))
    assert "Created" in lines[-1]
    assert not ApiToken.objects.filter(user=user).exists()
    # The account can sign in straight away
    assert client.login(username="person@example.org", password="pw-123456-long")


@pytest.mark.django_db
def test_reviewer_scope_is_the_given_countries(reference_data):
    add_user("rev@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--countries", "it, de")
    scope = User.objects.get(email="rev@example.org").reviewer_scope
    assert not scope.all_countries
    assert set(scope.countries.values_list("key", flat=True)) == {"IT", "DE"}


@pytest.mark.django_db
def test_token_is_printed_as_the_last_line(reference_data):
    lines = add_user("api@example.org", "--password", "pw-123456-long", "--role", "volunteer", "--token")
    user = User.objects.get(email="api@example.org")
    assert len(lines[-1]) == 40
    assert ApiToken.objects.get(user=user).digest == hashlib.sha256(lines[-1].encode()).hexdigest()  # stored hashed


@pytest.mark.django_db
def test_running_again_updates_role_and_scope(reference_data):
    add_user("same@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--countries", "IT")
    lines = add_user("same@example.org", "--password", "pw-123456-long", "--role", "volunteer", "--countries", "FR")
    assert User.objects.filter(email="same@example.org").count() == 1
    user = User.objects.get(email="same@example.org")
    assert "Updated" in lines[-1]
    assert not user.groups.filter(name="reviewer").exists()
    assert not hasattr(user, "reviewer_scope") or user.reviewer_scope is None


@pytest.mark.django_db
def test_unknown_country_code_is_a_clear_error_and_creates_nothing(reference_data):
    with pytest.raises(CommandError, match=r"Unknown country code.*XX"):
        add_user("bad@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--countries", "IT,XX")
    assert not User.objects.filter(email="bad@example.org").exists()
