"""API tokens of our own, stored as a SHA-256 of the key; the keys DRF's authtoken kept in clear are
hashed into it and then deleted from its table (clients keep using the same keys)."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "authtoken_token"  # rest_framework.authtoken's, no longer an installed app


def hash_existing_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute('SELECT "key", "user_id" FROM "authtoken_token"')
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest()) for key, user_id in rows
    )
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "authtoken_token"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_locations_moved_to_places"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(help_text="SHA-256 of the key, in hex", max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "API token"},
        ),
        migrations.RunPython(hash_existing_keys, migrations.RunPython.noop),
    ]
