"""Pages of reverting a merged submission: the revert page (proposal, values changed later, the
confirmer's choice) and its three actions. Thin: rules and writes are review.revert's."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import reviewer_required
from contributions.models import Submission

from . import revert
from .models import Revert


class ProposeRevertForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("What is wrong with the merged values; the public changelog of the revert says it."),
    )


class ConfirmRevertForm(forms.Form):
    changed_later = forms.ChoiceField(
        choices=[
            ("skip", gettext_lazy("Skip the values changed later: leave them as they are now")),
            ("include", gettext_lazy("Revert them too: put back the values from before this submission")),
        ],
        initial="skip",
        widget=forms.RadioSelect,
        label=gettext_lazy("Values that later releases changed"),
    )


def _merged_submission(request, pk) -> Submission:
    """A merged data submission in the user's review scope; 404 otherwise."""
    submission = (
        Submission.objects.in_scope_of(request.user)
        .select_related("source", "merged_release", "submitter")
        .filter(pk=pk, kind=Submission.Kind.DATA)
        .first()
    )
    if submission is None:
        raise Http404("No such submission in your review scope.")
    return submission


@reviewer_required
def revert_page(request, pk):
    submission = _merged_submission(request, pk)
    current = revert.open_or_done(submission)
    return render(
        request,
        "review/revert.html",
        {
            "submission": submission,
            "revert": current,
            "past": submission.reverts.exclude(pk=current.pk if current else 0).select_related("proposed_by"),
            "why_not": revert.why_not_revert(request.user, submission),
            "propose_form": ProposeRevertForm(),
            "confirm_form": ConfirmRevertForm(),
            "may_confirm": current is not None
            and current.status == Revert.Status.PROPOSED
            and current.proposed_by_id != request.user.pk,
        },
    )


def _refused(request, pk, exc):
    messages.error(request, str(exc))
    return redirect("review:revert", pk=pk)


@require_POST
@reviewer_required
def propose_revert(request, pk):
    submission = _merged_submission(request, pk)
    form = ProposeRevertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the submission should be reverted."))
        return redirect("review:revert", pk=pk)
    try:
        revert.propose(submission=submission, actor=request.user, reason=form.cleaned_data["reason"])
    except revert.RevertRefused as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("Revert proposed: another reviewer of this country must confirm it."))
    return redirect("review:revert", pk=pk)


@require_POST
@reviewer_required
def confirm_revert(request, pk, revert_id):
    submission = _merged_submission(request, pk)
    proposal = get_object_or_404(Revert.objects.select_related("proposed_by"), pk=revert_id, submission=submission)
    form = ConfirmRevertForm(request.POST)
    include = form.is_valid() and form.cleaned_data["changed_later"] == "include"
    try:
        revert.confirm(revert=proposal, actor=request.user, include_changed_later=include)
    except revert.RevertRefused as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("Revert confirmed: a new release restores the values."))
    return redirect("review:revert", pk=pk)


@require_POST
@reviewer_required
def cancel_revert(request, pk, revert_id):
    submission = _merged_submission(request, pk)
    proposal = get_object_or_404(Revert, pk=revert_id, submission=submission)
    try:
        cancelled = revert.cancel(revert=proposal, actor=request.user)
    except revert.RevertRefused as exc:
        return _refused(request, pk, exc)
    messages.info(request, _("Revert cancelled.") if cancelled else _("This revert was no longer waiting."))
    return redirect("review:revert", pk=pk)
