"""API tokens: stored as a SHA-256 of the key, shown once, revoked when the password changes or is reset,
and only for someone the pages would give one to (a verified address and a finished profile)."""

import hashlib
import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import permissions
from accounts.models import ApiToken
from accounts.services import api_token_for
from accounts.tokens import digest
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db
LEGACY_COLUMNS = '"key" varchar(40) PRIMARY KEY, "created" timestamp, "user_id" bigint'  # DRF authtoken's table


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    return token_client(key).get("/api/v1/submissions/").status_code == 200


def test_only_the_hash_of_the_key_is_stored(make_user):
    user = make_user("api@example.org")
    key = api_token_for(user)
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(user=user).values().first())
    assert works(key)
    assert not works(key[:-1] + ("0" if key[-1] != "0" else "1"))
    assert token_client("not-a-token").get("/api/v1/submissions/").status_code == 401


def test_rotating_ends_the_old_key(make_user):
    user = make_user("api@example.org")
    old = api_token_for(user)
    new = api_token_for(user)
    assert not works(old)
    assert works(new)
    assert ApiToken.objects.filter(user=user).count() == 1


def test_changing_the_password_revokes_the_token(client, make_user):
    user = make_user("api@example.org")
    key = api_token_for(user)
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-horse-battery-9", "password2": "a-new-horse-battery-9"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ApiToken.objects.filter(user=user).exists()
    assert not works(key)


def test_resetting_the_password_revokes_the_token(client, make_user):
    user = make_user("api@example.org")
    key = api_token_for(user)
    uid, token = user_pk_to_url_str(user), default_token_generator.make_token(user)
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
    form_url = client.get(url)["Location"]  # allauth moves the key into the session, then shows the form
    response = client.post(form_url, {"password1": "a-new-horse-battery-9", "password2": "a-new-horse-battery-9"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(key)
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_volunteer_without_a_finished_profile_gets_no_token_on_the_page_nor_uses_one(client, make_user):
    newcomer = make_user("new@example.org", countries=())
    assert not permissions.can_use_api_token(newcomer)
    client.force_login(newcomer)
    response = client.post(reverse("accounts:rotate_token"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:onboarding"))
    assert not ApiToken.objects.filter(user=newcomer).exists()
    # a token made otherwise (add_user --token) is refused by the API with the same message
    answer = token_client(api_token_for(newcomer)).get("/api/v1/submissions/")
    assert answer.status_code == 403
    assert answer.json()["detail"] == permissions.FINISH_PROFILE_MESSAGE
    # reviewers need no profile, on the page or in the API
    reviewer = make_user("rev@example.org", role="reviewer", countries=())
    reviewer.profile.completed_at = None
    reviewer.profile.save()
    assert permissions.can_use_api_token(reviewer)


def test_the_profile_page_shows_the_new_key_once(client, make_user):
    user = make_user("api@example.org")
    client.force_login(user)
    client.post(reverse("accounts:rotate_token"))
    page = client.get(reverse("accounts:profile")).content.decode()
    keys = re.findall(r"\b[0-9a-f]{40}\b", page)
    assert keys
    assert works(keys[0])
    assert keys[0] not in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_the_keys_drf_kept_in_clear(make_user):
    user = make_user("legacy@example.org")
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0004_locations_moved_to_places")])
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "authtoken_token" ({LEGACY_COLUMNS})')
        cursor.execute('INSERT INTO "authtoken_token" VALUES (%s, CURRENT_TIMESTAMP, %s)', ["a" * 40, user.pk])
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert ApiToken.objects.get(user=user).digest == digest("a" * 40)
        with connection.cursor() as cursor:
            cursor.execute('SELECT COUNT(*) FROM "authtoken_token"')
            assert cursor.fetchone()[0] == 0  # no key left in clear
        assert works("a" * 40)
    finally:
        with connection.cursor() as cursor:
            cursor.execute('DROP TABLE "authtoken_token"')
