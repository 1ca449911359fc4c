"""Factories for accounts tests: verified volunteers, reviewers and staff, made through the real service."""

import factory

from accounts.models import User
from accounts.services import countries_from_codes, create_verified_user

PASSWORD = "correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified account with a role and countries: UserFactory(role="reviewer", countries=("IT",)).

    It goes through accounts.services.create_verified_user (email address, role group, profile), so the
    countries are looked up by ISO code in the reference data; it never creates them.
    """

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = PASSWORD
    role = "volunteer"
    countries = ("IT",)

    @classmethod
    def _create(cls, model_class, *, email, password, role, countries, **fields):
        user, _ = create_verified_user(
            email=email, password=password, role=role, countries=countries_from_codes(list(countries))
        )
        if fields:
            for name, value in fields.items():
                setattr(user, name, value)
            user.save(update_fields=list(fields))
        return user
