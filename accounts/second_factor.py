"""Second factors (allauth.mfa): an authenticator app (TOTP) with recovery codes.

Who must have one is a rule in `accounts.permissions` (`needs_second_factor`); this module makes
them for the command line (`add_user --mfa`, `setup_demo`) and tests, and keeps reviewers and staff
from switching theirs off.
"""

import time

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import sealing
from .models import User
from .permissions import is_reviewer


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Reviewers and staff keep their authenticator app: set up a new one instead of switching it off "
            "(staff can remove it in the admin when a phone is lost)."
        ),
    }

    def encrypt(self, text: str) -> str:
        """Secrets (TOTP keys, recovery-code seeds) are sealed before they reach the database (sealing.py)."""
        return sealing.seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return sealing.unseal(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Volunteers may switch their second factor off; reviewers and staff may not (they need it)."""
        user = authenticator.user
        keeps = authenticator.type == Authenticator.Type.TOTP and is_reviewer(user)  # staff included
        return not keeps


@transaction.atomic
def activate_totp(user: User, secret: str | None = None) -> str:
    """Give `user` an authenticator app with this base32 secret (a new one when None), replacing any
    earlier one, and recovery codes; returns the secret to enter in the app."""
    secret = (secret or generate_totp_secret()).replace(" ", "").upper()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def recovery_codes(user: User) -> list[str]:
    """The user's unused recovery codes (each works once at the sign-in code step)."""
    instance = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    return RecoveryCodes(instance).get_unused_codes() if instance else []


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at time `at` (now by default): RFC 6238."""
    period = int(getattr(settings, "MFA_TOTP_PERIOD", 30))
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // period))
