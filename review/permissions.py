"""Who may moderate which submission: the accounts rules plus scope and four eyes, for pages, API and services.

Scope is decided by the data: a reviewer sees a submission when their countries meet its countries
(those of its values, once validated), and may claim or decide on it only when their countries cover
every one of them (staff and all-countries reviewers cover all).
"""

from typing import Any

from django.utils.translation import gettext as _

from accounts.permissions import SECOND_FACTOR_MESSAGE, can_moderate, needs_second_factor
from contributions.models import Submission


def countries_not_covered(user: Any, submission: Submission) -> list[str]:
    """The names of the submission's countries outside the user's review scope."""
    scope = getattr(user, "reviewer_scope", None)
    if user.is_staff or (scope is not None and scope.all_countries):
        return []
    covered = set(scope.countries.values_list("pk", flat=True)) if scope is not None else set()
    return [country.name for country in submission.scope_countries() if country.pk not in covered]


def why_not_review(user: Any, submission: Submission) -> str | None:
    """The reason, in words for the reviewer, why `user` may not act on `submission`; None when they may."""
    if needs_second_factor(user):
        return _(SECOND_FACTOR_MESSAGE)
    if not can_moderate(user):
        return _("Only reviewers can moderate submissions.")
    if user.pk == submission.submitter_id:
        return _("You cannot review your own submission: another reviewer must do it.")
    if not submission.can_be_reviewed_by(user):
        missing = countries_not_covered(user, submission)
        if missing and Submission.objects.in_scope_of(user).filter(pk=submission.pk).exists():
            return _(
                "This submission has values for %(countries)s, which you do not review: a reviewer "
                "who covers all of its countries must decide on it."
            ) % {"countries": ", ".join(missing)}
        return _("This submission is outside the countries you review.")
    return None


def can_review(user: Any, submission: Submission) -> bool:
    """Reviewers act only when their scope covers all of the submission's countries (staff: everywhere)
    and never on their own submissions."""
    return why_not_review(user, submission) is None
