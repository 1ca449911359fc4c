"""Data uploads: take a file in, store it safely, and hand it to the validation task.

Nothing here parses the file: the request only checks the size, stores the bytes under a random
name, records the SHA-256 and queues validation (contributions.tasks.validate_submission).
"""

import hashlib
import logging

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from sources.models import Feed, Source

from .contracts import ColumnMapping
from .models import Submission, SubmissionFile
from .proposals import propose_source
from .signals import claim_released_by_revision

logger = logging.getLogger(__name__)


class UploadRefused(ValueError):
    """The upload cannot even be queued for validation (too large, empty, wrong state)."""


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def check_size(uploaded) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise UploadRefused(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. "
                "Split it by date or region, or compress repeated columns away."
            )
            % {"size": f"{uploaded.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
        )


def find_duplicate(*, source: Source, sha256: str, exclude_pk=None) -> Submission | None:
    """An earlier upload of exactly the same bytes for the same source, if any."""
    earlier = Submission.objects.filter(source=source, sha256=sha256, kind=Submission.Kind.DATA)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier.exclude(status=Submission.Status.WITHDRAWN).order_by("created_at").first()


def queue_validation(submission: Submission) -> None:
    """Validation runs in the worker once this transaction commits; the page shows progress."""
    from .tasks import validate_submission

    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.VALIDATING, progress=0, progress_message=gettext_noop("Waiting for a worker")
    )
    submission.status = Submission.Status.VALIDATING
    validate_submission.dispatch_on_commit(submission.pk)


def default_country(*, submitter: User, source: Source):
    if source.country_id:
        return source.country
    profile = getattr(submitter, "profile", None)
    return profile.primary_country if profile else None


@transaction.atomic
def create_upload(
    *,
    submitter: User,
    source: Source,
    uploaded,
    comment: str = "",
    layout: str = "",
    mapping: dict | None = None,
    feed: Feed | None = None,
) -> Submission:
    """A data upload of `source` (by a person, or fetched by `feed`), queued for validation."""
    if source.status not in (Source.Status.APPROVED, Source.Status.PROPOSED):
        raise UploadRefused(_("Uploads are accepted only for approved (or newly proposed) sources."))
    check_size(uploaded)
    digest = sha256_of(uploaded)
    # The source's recipe is not copied here: validation chooses the one for the file's shape.
    submission = Submission(
        kind=Submission.Kind.DATA,
        submitter=submitter,
        source=source,
        country=default_country(submitter=submitter, source=source),
        feed=feed,
        comment=comment,
        original_filename=(uploaded.name or "upload")[:255],
        file_size=uploaded.size,
        sha256=digest,
        duplicate_of=find_duplicate(source=source, sha256=digest),
        layout=layout,
        mapping=mapping or {},
    )
    submission.file.save("upload", File(uploaded), save=False)
    submission.save()
    queue_validation(submission)
    return submission


@transaction.atomic
def create_upload_with_source(
    *, submitter: User, source: Source | None, proposal: dict | None, uploaded, comment: str = ""
) -> Submission:
    """An upload for a registered source, or for a source proposed in the same step (both or neither)."""
    if source is None:
        source = propose_source(proposer=submitter, comment=comment, **(proposal or {})).source
    return create_upload(submitter=submitter, source=source, uploaded=uploaded, comment=comment)


@transaction.atomic
def replace_file(*, submission: Submission, user: User, uploaded) -> Submission:
    """Upload a corrected file to the same submission; the earlier file and its report are kept."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.can_be_edited_by(user):
        raise UploadRefused(_("This submission can no longer be changed."))
    check_size(uploaded)
    SubmissionFile.objects.create(
        submission=submission,
        version=submission.version,
        file=submission.file.name,
        original_filename=submission.original_filename,
        sha256=submission.sha256,
        report=submission.report,
    )
    digest = sha256_of(uploaded)
    submission.version += 1
    submission.original_filename = (uploaded.name or "upload")[:255]
    submission.file_size = uploaded.size
    submission.sha256 = digest
    submission.duplicate_of = find_duplicate(source=submission.source, sha256=digest, exclude_pk=submission.pk)
    submission.report, submission.diff = {}, {}
    submission.error_count = submission.warning_count = submission.row_count = 0
    submission.file.save("upload", File(uploaded), save=False)
    holder_id = _revised(submission)
    submission.save()
    _tell_holder(submission, holder_id)
    queue_validation(submission)
    return submission


def _revised(submission: Submission) -> int | None:
    """A revision of what reviewers see takes it out of any reviewer's hands (called with the row
    locked, before it is saved); returns who held it, for _tell_holder once it is saved."""
    holder_id = submission.claimed_by_id
    if submission.status == Submission.Status.IN_REVIEW:
        submission.status = Submission.Status.AWAITING_REVIEW
    submission.claimed_by, submission.claimed_until = None, None
    return holder_id


def _tell_holder(submission: Submission, holder_id: int | None) -> None:
    """The apps above (review) log the released claim and tell the reviewer who held it."""
    if holder_id is not None:
        claim_released_by_revision.send(
            sender=Submission, submission=submission, holder_id=holder_id, version=submission.version
        )


@transaction.atomic
def set_mapping(*, submission: Submission, user: User, mapping: ColumnMapping) -> Submission:
    """Save the volunteer's column mapping and validate again with it (the mapping page and the API's PATCH)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.kind != Submission.Kind.DATA:
        raise UploadRefused(_("A source proposal has no file, so no column mapping."))
    if submission.submitter_id == user.pk and submission.status == Submission.Status.VALIDATING:
        raise UploadRefused(_("The file is being checked: change the mapping once the check is done."))
    if not submission.can_be_edited_by(user):
        raise UploadRefused(_("This submission can no longer be changed."))
    submission.mapping = mapping
    submission.layout = mapping.get("layout", submission.layout)
    submission.version += 1
    holder_id = _revised(submission)
    submission.save(
        update_fields=["mapping", "layout", "version", "status", "claimed_by", "claimed_until", "updated_at"]
    )
    _tell_holder(submission, holder_id)
    queue_validation(submission)
    return submission


@transaction.atomic
def withdraw(*, submission: Submission, user: User) -> Submission:
    updated = Submission.objects.filter(
        pk=submission.pk,
        submitter=user,
        status__in=[*Submission.EDITABLE, Submission.Status.VALIDATING, Submission.Status.IN_REVIEW],
    ).update(status=Submission.Status.WITHDRAWN)
    if updated != 1:
        raise UploadRefused(_("Only your own submission, before a decision, can be withdrawn."))
    submission.refresh_from_db()
    return submission
