from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs):
    from .services import ensure_groups

    ensure_groups()


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        # After every migrate (and test database set-up): roles exist, staff can use the admin.
        post_migrate.connect(_ensure_groups, dispatch_uid="accounts.ensure_groups")
