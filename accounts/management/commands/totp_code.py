"""Print the code an authenticator app shows now for a base32 secret (demo accounts, tests, support)."""

from django.core.management.base import BaseCommand

from accounts.second_factor import totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code for an authenticator secret (e.g. the demo reviewer's)."

    def add_arguments(self, parser):
        parser.add_argument("secret", help="The base32 secret that add_user --mfa or setup_demo printed")

    def handle(self, *args, secret, **options):
        self.stdout.write(totp_code(secret.replace(" ", "").upper()))
