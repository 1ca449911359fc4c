"""API tokens stored as a SHA-256 of the key: make one (its key shown once), revoke, authenticate.

Clients send `Authorization: Token <key>` as before; the key itself is never stored, so a copy of
the database does not give anyone's API access.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from .models import ApiToken, User
from .permissions import FINISH_PROFILE_MESSAGE, can_use_api_token, has_verified_email


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User) -> str:
    """A new key for this user, replacing any earlier one; returned once and never stored."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        ApiToken.objects.create(user=user, digest=digest(key))
    return key


def revoke(user: Any) -> int:
    """Delete the user's token (after a password change or reset); the number deleted."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's `Token <key>` header, checked against the stored digest.

    A token works only for someone who may hold one (`can_use_api_token`: a verified address and a
    finished profile, the rule of the profile page that hands tokens out); for anyone else the
    answer is 403 saying what to do first.
    """

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if not can_use_api_token(token.user):  # 403 with the upload API's message: the key is right
            if not has_verified_email(token.user):
                raise PermissionDenied("Confirm your email address first: we sent you a link.")
            raise PermissionDenied(FINISH_PROFILE_MESSAGE)
        return token.user, token
