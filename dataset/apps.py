"""The dataset app: observations, history, releases, exports, public pages and API."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DatasetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dataset"

    def ready(self) -> None:
        # Here rather than where the API is imported, so the worker (which makes releases but never
        # loads the URLs) also tells the API cache that a new release exists.
        from .api.caching import forget_latest_release
        from .ended import marks_changed
        from .models import Erratum, Release

        post_save.connect(forget_latest_release, sender=Release, dispatch_uid="api-forget-latest-release")
        post_save.connect(marks_changed, sender=Erratum, dispatch_uid="ended-marks-saved")
        post_delete.connect(marks_changed, sender=Erratum, dispatch_uid="ended-marks-deleted")
