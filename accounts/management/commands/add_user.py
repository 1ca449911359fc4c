"""Create or update a verified account with a role and, for reviewers, a country scope."""

import re

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.permissions import can_use_api_token
from accounts.second_factor import activate_totp, recovery_codes
from accounts.services import UnknownCountry, api_token_for, countries_from_codes, create_verified_user

BASE32 = re.compile(r"^(?:[A-Z2-7]{8}){2,}$")  # what authenticator apps take: 16, 24, 32... characters


class Command(BaseCommand):
    help = "Create a verified account with a role (idempotent: an existing email gets the new role and scope)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=[r.value for r in Role], default=Role.VOLUNTEER)
        parser.add_argument("--countries", default="", help="Comma-separated ISO codes, e.g. IT,DE")
        parser.add_argument(
            "--mfa",
            action="store_true",
            help="Set up an authenticator app (two-factor sign-in) with a new secret, printed with recovery codes",
        )
        parser.add_argument(
            "--totp-secret",
            default="",
            metavar="BASE32",
            help="Set up an authenticator app with this base32 secret (tests, demos). Reviewers and staff without "
            "one set it up at their first sign-in",
        )
        parser.add_argument(
            "--token", action="store_true", help="Print a new API token as the last line (replacing any; shown once)"
        )

    def handle(self, *args, email, password, role, countries, mfa, totp_secret, token, **options):
        secret = totp_secret.replace(" ", "").upper()
        if secret and not BASE32.match(secret):
            raise CommandError("--totp-secret must be base32 (letters A-Z, digits 2-7), 16, 24, 32... characters long.")
        try:
            locations = countries_from_codes(countries.split(","))
        except UnknownCountry as exc:
            raise CommandError(str(exc)) from exc
        user, created = create_verified_user(email=email, password=password, role=role, countries=locations)
        scope = ", ".join(loc.key for loc in locations) or ("all countries" if role != Role.VOLUNTEER else "none")
        self.stdout.write(f"{'Created' if created else 'Updated'} {role} {user.email} (countries: {scope})")
        if mfa or secret:
            secret = activate_totp(user, secret or None)
            self.stdout.write(f"Authenticator app secret (sign-in asks for its code): {secret}")
            self.stdout.write(f"Recovery codes (each works once): {' '.join(recovery_codes(user))}")
        if token:
            if not can_use_api_token(user):
                self.stderr.write("Note: the token works once the volunteer profile is finished (give --countries).")
            self.stdout.write(api_token_for(user))  # shown once: only its SHA-256 is stored
