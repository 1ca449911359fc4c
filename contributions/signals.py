"""Signals contributions sends to the apps above it (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# The submitter revised a submission (a new file or a new mapping) while a reviewer held it; the
# claim is released. Arguments: submission (the Submission), holder_id (the reviewer who held it),
# version (the new version).
claim_released_by_revision = Signal()

# Validation of a submission finished (sent after its outcome is committed). Arguments: submission_id,
# status (the new status: awaiting_review, needs_mapping or invalid). review connects the trusted-feed
# approval and the feed's failure count to it.
validation_finished = Signal()
