"""Second-factor secrets are sealed in the database, and survive a SECRET_KEY rotation done as documented."""

import importlib
import json

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.apps import apps as global_apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.second_factor import activate_totp, recovery_codes
from tests.accounts.factories import PASSWORD, TOTP_SECRET, enter_code

pytestmark = pytest.mark.django_db


def stored(user, kind) -> dict:
    """The authenticator's data as the database holds it (what a dump would show)."""
    authenticator = Authenticator.objects.get(user=user, type=kind)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        raw = cursor.fetchone()[0]
    return raw if isinstance(raw, dict) else json.loads(raw)


def signs_in(client, user, secret=TOTP_SECRET) -> bool:
    cache.clear()  # forget the codes used already (allauth refuses a code twice): as if 30 s had passed
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return enter_code(client, secret).get("Location") == reverse("review:queue")


def test_the_database_holds_no_usable_secret_and_sign_in_still_works(client, make_user):
    reviewer = make_user("rev@example.org", role="reviewer")
    totp, codes = stored(reviewer, "totp"), stored(reviewer, "recovery_codes")
    assert totp["secret"].startswith("fernet:")
    assert TOTP_SECRET not in json.dumps(totp)
    assert codes["seed"].startswith("fernet:")
    assert len(recovery_codes(reviewer)) == 10
    assert signs_in(client, reviewer)


def test_a_rotated_secret_key_kept_as_fallback_keeps_sign_in_working_until_resealed(client, make_user, settings):
    reviewer = make_user("rev@example.org", role="reviewer")
    codes_before = recovery_codes(reviewer)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old_key]
    assert signs_in(client, reviewer)
    call_command("reseal_mfa_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone for good
    assert recovery_codes(reviewer) == codes_before
    assert signs_in(client, reviewer)


def test_unreadable_secrets_say_which_setting_to_fix(make_user, settings):
    reviewer = make_user("rev@example.org", role="reviewer")
    settings.MFA_SECRETS_KEYS = [Fernet.generate_key().decode()]  # not the key that sealed them
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        recovery_codes(reviewer)


def test_secrets_stored_in_the_clear_before_sealing_are_sealed_by_the_migration(client, make_user):
    reviewer = make_user("rev@example.org", role="reviewer", second_factor=False)
    Authenticator.objects.create(user=reviewer, type="totp", data={"secret": TOTP_SECRET})  # as allauth stored it
    assert signs_in(client, reviewer)  # plain secrets still read
    migration = importlib.import_module("accounts.migrations.0008_seal_mfa_secrets")
    migration.seal_plain_secrets(global_apps, None)
    migration.seal_plain_secrets(global_apps, None)  # a second run changes nothing
    assert stored(reviewer, "totp")["secret"].startswith("fernet:")
    assert signs_in(client, reviewer)


def test_a_new_authenticator_app_is_sealed_too(make_user):
    volunteer = make_user("vol@example.org", second_factor=False)
    secret = activate_totp(volunteer)
    assert secret not in json.dumps(stored(volunteer, "totp"))
