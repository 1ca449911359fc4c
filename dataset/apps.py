"""The dataset app: observations, history, releases, exports, public pages and API."""

from django.apps import AppConfig
from django.db.models.signals import post_save


class DatasetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dataset"

    def ready(self) -> None:
        # Here rather than where the API is imported, so the worker (which makes releases but never
        # loads the URLs) also tells the API cache that a new release exists.
        from .api.caching import forget_latest_release
        from .models import Release

        post_save.connect(forget_latest_release, sender=Release, dispatch_uid="api-forget-latest-release")
