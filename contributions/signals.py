"""Signals contributions sends to the apps above it (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# The submitter revised a submission (a new file or a new mapping) while a reviewer held it; the
# claim is released. Arguments: submission (the Submission), holder_id (the reviewer who held it),
# version (the new version).
claim_released_by_revision = Signal()
