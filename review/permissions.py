"""Who may moderate which submission: the accounts rules plus scope and four eyes, for pages, API and services."""

from typing import Any

from accounts.permissions import SECOND_FACTOR_MESSAGE, can_moderate, needs_second_factor
from contributions.models import Submission


def why_not_review(user: Any, submission: Submission) -> str | None:
    """The reason, in words for the reviewer, why `user` may not act on `submission`; None when they may."""
    if needs_second_factor(user):
        return SECOND_FACTOR_MESSAGE
    if not can_moderate(user):
        return "Only reviewers can moderate submissions."
    if user.pk == submission.submitter_id:
        return "You cannot review your own submission: another reviewer must do it."
    if not submission.can_be_reviewed_by(user):
        return "This submission is outside the countries you review."
    return None


def can_review(user: Any, submission: Submission) -> bool:
    """Reviewers act only inside their scope (staff: everywhere) and never on their own submissions."""
    return why_not_review(user, submission) is None
