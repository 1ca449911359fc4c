"""Give every account a non-empty, unique username derived from its email.

Accounts created through the sign-up form before this had an empty username, which only the first
could have. Repairs those rows; new ones get theirs from `User.save()`.
"""
from django.db import migrations


def fill_usernames(apps, schema_editor):
    from accounts.models import unique_username

    User = apps.get_model("accounts", "User")
    taken = {name.lower() for name in User.objects.exclude(username="").values_list("username", flat=True)}
    for user in User.objects.filter(username="").order_by("pk"):
        user.username = unique_username(user.email, taken=lambda name: name.lower() in taken)
        taken.add(user.username.lower())
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(fill_usernames, migrations.RunPython.noop)]
