"""Create or update a verified account with a role and, for reviewers, a country scope."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import UnknownCountry, api_token_for, countries_from_codes, create_verified_user


class Command(BaseCommand):
    help = "Create a verified account with a role (idempotent: an existing email gets the new role and scope)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=[r.value for r in Role], default=Role.VOLUNTEER)
        parser.add_argument("--countries", default="", help="Comma-separated ISO codes, e.g. IT,DE")
        parser.add_argument("--token", action="store_true", help="Print an API token as the last line")

    def handle(self, *args, email, password, role, countries, token, **options):
        try:
            locations = countries_from_codes(countries.split(","))
        except UnknownCountry as exc:
            raise CommandError(str(exc)) from exc
        user, created = create_verified_user(email=email, password=password, role=role, countries=locations)
        scope = ", ".join(loc.key for loc in locations) or ("all countries" if role != Role.VOLUNTEER else "none")
        self.stdout.write(f"{'Created' if created else 'Updated'} {role} {user.email} (countries: {scope})")
        if token:
            self.stdout.write(api_token_for(user))
