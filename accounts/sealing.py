"""Second-factor secrets sealed at rest: a database dump alone does not let anyone make sign-in codes.

allauth.mfa stores each authenticator app's TOTP secret and each recovery-code seed through its
adapter's encrypt/decrypt hooks (accounts.second_factor.MFAAdapter), which call `seal` and `unseal`.
Sealed text is `fernet:` and a Fernet token (AES-128-CBC with HMAC-SHA256, from `cryptography`).
The keys are MFA_SECRETS_KEYS (Fernet keys, the first seals) or, when that is empty, keys derived from
SECRET_KEY and SECRET_KEY_FALLBACKS, so rotating SECRET_KEY with the old one kept as a fallback keeps
every secret readable; `manage.py reseal_mfa_secrets` then seals them all with the first key.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"


def _derived(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"portal-mfa-secrets", info=b"fernet key")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@functools.lru_cache(maxsize=4)
def _box(keys: tuple[str, ...], secret_keys: tuple[str, ...]) -> MultiFernet:
    material = [key.encode() for key in keys] or [_derived(secret) for secret in secret_keys]
    return MultiFernet([Fernet(key) for key in material])


def box() -> MultiFernet:
    keys = tuple(getattr(settings, "MFA_SECRETS_KEYS", ()) or ())
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _box(keys, tuple(secrets))


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def seal(text: str) -> str:
    return PREFIX + box().encrypt(text.encode()).decode("ascii")


def unseal(text: str) -> str:
    """The secret; text stored before sealing began (no prefix) is returned as it is."""
    if not is_sealed(text):
        return text
    try:
        return box().decrypt(text[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as error:
        raise RuntimeError(
            "A second-factor secret cannot be unsealed with the configured keys: keep the old SECRET_KEY in "
            "SECRET_KEY_FALLBACKS (or its key in MFA_SECRETS_KEYS) until `manage.py reseal_mfa_secrets` ran."
        ) from error


def reseal(text: str) -> str:
    """Sealed with the first key (a plain or older-key secret included)."""
    return seal(unseal(text))


SEALED_FIELDS = ("secret", "seed")  # TOTP's secret, recovery codes' seed


def reseal_data(data: dict, *, plain_only: bool = False) -> bool:
    """Seal an Authenticator's `data` in place; return whether it changed. `plain_only`: leave sealed ones."""
    changed = False
    for field in SEALED_FIELDS:
        value = data.get(field)
        if isinstance(value, str) and not (plain_only and is_sealed(value)):
            data[field] = reseal(value)
            changed = True
    codes = data.get("migrated_codes")
    if isinstance(codes, list):
        data["migrated_codes"] = [code if plain_only and is_sealed(code) else reseal(code) for code in codes]
        changed = True
    return changed
