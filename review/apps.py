from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"

    def ready(self) -> None:
        """Listen to contributions (a lower layer) without it importing us."""
        from contributions.signals import claim_released_by_revision, validation_finished

        from .notifications import on_claim_released
        from .trusted import on_validation_finished

        claim_released_by_revision.connect(on_claim_released, dispatch_uid="review.on_claim_released")
        validation_finished.connect(on_validation_finished, dispatch_uid="review.on_validation_finished")
