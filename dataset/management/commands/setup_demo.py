"""Everything `make run` needs after migrating: reference data, seed sources, demo data, demo accounts."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.second_factor import activate_totp, totp_code
from accounts.services import countries_from_codes, create_verified_user

DEMO_ACCOUNTS = [
    ("volunteer@example.org", "volunteer", ["IT"]),
    ("reviewer@example.org", "reviewer", ["IT", "DE", "US"]),
    ("staff@example.org", "staff", []),
]
DEMO_PASSWORD = "covid-open-data"  # noqa: S105 (printed on the console for the demo)
# Reviewers and staff sign in with a code from an authenticator app too: the demo ones share this
# secret (printed, like the password), so it can be entered once in any authenticator app.
DEMO_TOTP_SECRET = "DEMOREVIEWERSTAFFCOVIDOPENDATAXY"  # noqa: S105 (printed, like the password)
DEMO_DATA = Path(settings.BASE_DIR) / "demo_data"


class Command(BaseCommand):
    help = "Load reference data, seed sources, import the demo JHU series (once) and create demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--skip-import", action="store_true", help="Do not import the demo JHU series")

    def handle(self, *args, skip_import=False, **options):
        call_command("load_reference_data", stdout=self.stdout)
        if "seed_sources" in _commands():
            call_command("seed_sources", stdout=self.stdout)
        jhu_files = sorted((DEMO_DATA / "jhu").glob("time_series_covid19_*_global.csv"))
        if not skip_import and jhu_files and "import_jhu" in _commands():
            from dataset.models import Observation

            if Observation.objects.exists():
                self.stdout.write("Demo data already imported.")
            else:
                self.stdout.write(
                    f"Importing {len(jhu_files)} JHU files, then building the release's export files "
                    "(first run only: 30 s to a minute)..."
                )
                call_command("import_jhu", *map(str, jhu_files), stdout=self.stdout)
        for email, role, codes in DEMO_ACCOUNTS:
            user, _ = create_verified_user(
                email=email, password=DEMO_PASSWORD, role=role, countries=countries_from_codes(codes)
            )
            if role != "volunteer":
                activate_totp(user, DEMO_TOTP_SECRET)
        self.stdout.write(self.style.SUCCESS(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):"))
        for email, role, codes in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<10} {email}  {'countries: ' + ','.join(codes) if codes else 'all countries'}")
        self.stdout.write(
            "Reviewer and staff sign in with a second step, a code from an authenticator app: add the secret "
            f"{DEMO_TOTP_SECRET} to one (any TOTP app), or type the code `manage.py totp_code {DEMO_TOTP_SECRET}` "
            f"prints (it changes every 30 seconds; now: {totp_code(DEMO_TOTP_SECRET)})."
        )
        self.stdout.write(f"\nOpen {settings.SITE_URL}/ in your browser.")


def _commands():
    from django.core.management import get_commands

    return get_commands()
