"""Seal every second-factor secret with the first key (after adding a key or rotating SECRET_KEY)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.sealing import reseal_data


class Command(BaseCommand):
    help = "Seal every authenticator app's secret and recovery-code seed with the first key (accounts/sealing.py)."

    def handle(self, *args, **options):
        changed = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
                if reseal_data(authenticator.data):
                    authenticator.save(update_fields=["data"])
                    changed += 1
        self.stdout.write(f"Sealed the secrets of {changed} authenticator(s) with the first key.")
