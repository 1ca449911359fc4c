"""Seal the second-factor secrets stored in the clear before accounts/sealing.py (once; idempotent)."""

from django.db import migrations


def seal_plain_secrets(apps, schema_editor):
    from accounts.sealing import reseal_data

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.order_by("pk"):
        data = dict(authenticator.data or {})
        if reseal_data(data, plain_only=True) and data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_user_language"), ("mfa", "0003_authenticator_type_uniq")]

    operations = [migrations.RunPython(seal_plain_secrets, migrations.RunPython.noop)]
