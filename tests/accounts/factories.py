"""Factories for accounts tests: verified volunteers, reviewers and staff, made through the real service."""

import time

import factory
from django.urls import reverse

from accounts.models import User
from accounts.second_factor import activate_totp, totp_code
from accounts.services import countries_from_codes, create_verified_user

PASSWORD = "correct-horse-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the authenticator app of every test reviewer


class UserFactory(factory.django.DjangoModelFactory):
    """A verified account with a role and countries: UserFactory(role="reviewer", countries=("IT",)).

    It goes through accounts.services.create_verified_user (email address, role group, profile), so the
    countries are looked up by ISO code in the reference data; it never creates them. Reviewers and staff
    get an authenticator app with TOTP_SECRET (they need one to review); `second_factor=False` leaves
    it out, `True` gives one to a volunteer.
    """

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = PASSWORD
    role = "volunteer"
    countries = ("IT",)
    second_factor = None  # None: reviewers and staff have one, volunteers not

    @classmethod
    def _create(cls, model_class, *, email, password, role, countries, second_factor, **fields):
        user, _ = create_verified_user(
            email=email, password=password, role=role, countries=countries_from_codes(list(countries))
        )
        if second_factor or (second_factor is None and role != "volunteer"):
            activate_totp(user, TOTP_SECRET)
        if fields:
            for name, value in fields.items():
                setattr(user, name, value)
            user.save(update_fields=list(fields))
        return user


def fresh_totp_code(secret=TOTP_SECRET, *, margin=3.0):
    """The code an authenticator app shows now, with at least `margin` seconds left before it changes
    (the portal accepts only the current one), waiting for the next one otherwise."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
    return totp_code(secret)


def enter_code(client, secret=TOTP_SECRET):
    """The sign-in's second step (after the password, for an account with an authenticator app): the
    code the app shows now."""
    return client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(secret, margin=1)})
