from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _revoke_api_token(sender, request, user, **kwargs):
    """A new password ends the API token too: whoever had the old one may have taken the token."""
    from .tokens import revoke

    revoke(user)


def _ensure_groups(sender, **kwargs):
    """Once per migrate (or test flush): after the last app's signal, when every permission exists."""
    from django.apps import apps

    from .services import ensure_groups

    if sender is [config for config in apps.get_app_configs() if config.models_module is not None][-1]:
        ensure_groups()


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        # After every migrate (and test database set-up): roles exist, staff can use the admin.
        post_migrate.connect(_ensure_groups, dispatch_uid="accounts.ensure_groups")
        from allauth.account.signals import password_changed, password_reset, password_set

        password_changed.connect(_revoke_api_token, dispatch_uid="accounts.revoke_token_on_password_changed")
        password_reset.connect(_revoke_api_token, dispatch_uid="accounts.revoke_token_on_password_reset")
        password_set.connect(_revoke_api_token, dispatch_uid="accounts.revoke_token_on_password_set")
