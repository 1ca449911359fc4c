"""Moderation pages: the queue, a submission's review page, decisions, the staff audit log.

Thin views: reads come from review.selectors, decisions from review.services.
"""

import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import reviewer_required, staff_required
from contributions.mapping import place_mapping
from contributions.models import Submission
from contributions.reporting import left_out_columns
from dataset.selectors import latest_release_number

from . import audit, diffchart, selectors, services
from .forms import AuditFilterForm, CommentForm, DecisionForm, DigestForm, QueueFilterForm

PAGE = 100


def _submission_for(request: HttpRequest, pk: int) -> Submission:
    """A submission the user may review (in scope, not their own); staff see all. Others get 404."""
    submission = selectors.submission_for_review(request.user, pk)
    if submission is None:
        raise Http404("No such submission in your review scope.")
    return submission


@reviewer_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    submissions = selectors.queue_for(request.user, **filters)
    counts = selectors.counts_per_status(request.user)
    return render(
        request,
        "review/queue.html",
        {
            "form": form,
            "submissions": submissions[:PAGE],
            "total": submissions.count(),
            "mine": selectors.claimed_by_me(request.user),
            "counts": [(Submission.Status(s).label, n) for s, n in sorted(counts.items())],
            "digest_form": DigestForm(initial={"daily_digest": selectors.wants_daily_digest(request.user)}),
        },
    )


@reviewer_required
def detail(request, pk):
    submission = _submission_for(request, pk)
    diff = submission.diff or {}
    proposal = selectors.pending_proposal(submission)
    return render(
        request,
        "review/detail.html",
        {
            "submission": submission,
            "holder": selectors.holder(submission),
            "actions": submission.actions.select_related("actor"),
            "problems": (submission.report or {}).get("problems", [])[:200],
            "left_out": left_out_columns(submission.report or {}),
            "diff": diff,
            "latest_release": latest_release_number(),
            "protected": selectors.higher_priority_values(submission),
            "chart": diffchart.chart_data(submission) if submission.kind == Submission.Kind.DATA else {"pairs": []},
            "decision_form": DecisionForm(submission=submission),
            "countries": submission.scope_countries(),
            "place_mapping": place_mapping(submission.report),
            "diff_by_country": selectors.diff_by_country(submission),
            "proposal": proposal,
            "proposal_form": (
                DecisionForm(submission=proposal, auto_id="source_%s", initial={"then": submission.pk})
                if proposal
                else None
            ),
            "can_decide_proposal": proposal is not None and services.why_not_review(request.user, proposal) is None,
            "comment_form": CommentForm(),
            "can_decide": submission.status in Submission.REVIEWABLE,
        },
    )


def _act(request, submission, action, *, say, message):
    """Run `action(submission)`; say `message` when it succeeds, the ReviewError's text when it does not."""
    try:
        action(submission)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        say(request, message)
    return redirect("review:detail", pk=submission.pk)


def _by_reviewer(request, pk, service, say, message):
    """`service(submission=..., reviewer=...)` on a submission the user may review, through _act."""
    return _act(
        request,
        _submission_for(request, pk),
        lambda submission: service(submission=submission, reviewer=request.user),
        say=say,
        message=message,
    )


@require_POST
@reviewer_required
def claim(request, pk):
    return _by_reviewer(
        request,
        pk,
        services.claim,
        messages.success,
        _("You hold this submission; others see that you are reviewing it."),
    )


@require_POST
@reviewer_required
def release(request, pk):
    return _by_reviewer(
        request, pk, services.release, messages.info, _("Released: the submission is back in the queue.")
    )


@require_POST
@reviewer_required
def comment(request, pk):
    form = CommentForm(request.POST)

    def do(submission):
        if not form.is_valid():
            raise services.ReviewError(_("Write a comment first."))
        services.comment(submission=submission, reviewer=request.user, comment=form.cleaned_data["comment"])

    return _act(request, _submission_for(request, pk), do, say=messages.success, message=_("Comment added."))


@require_POST
@reviewer_required
def decide(request, pk):
    submission = _submission_for(request, pk)
    form = DecisionForm(request.POST, submission=submission)
    back = _back_to(request, submission)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)  # type: ignore[arg-type]  # an ErrorList yields str, not ValidationError
        return back
    data = form.cleaned_data
    mine = {"submission": submission, "reviewer": request.user, "comment": data["comment"], "version": data["version"]}
    approval = form.approval()
    try:
        if approval is not None:
            services.approve(**mine, **approval, priority=data.get("priority"))
            if submission.kind != "data":
                said = _("Approved.")
            elif approval["keep_higher_priority"]:
                said = _("Approved. The merge is queued. The values of higher-priority sources are kept.")
            else:
                said = _("Approved. The merge is queued.")
            messages.success(request, said)
        elif data["decision"] == "reject":
            services.reject(**mine)
            messages.success(request, _("Rejected; the submitter has been told why."))
        else:
            services.request_changes(**mine)
            messages.success(request, _("Changes requested; the submitter has been told what to change."))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return back


def _back_to(request, submission):
    """Back to the review page the form was on: the submission's, or (a proposal decided from the page
    of data of its source) that data's."""
    then = request.POST.get("then", "")
    if then.isdigit() and int(then) != submission.pk and selectors.submission_for_review(request.user, int(then)):
        return redirect("review:detail", pk=int(then))
    return redirect("review:detail", pk=submission.pk)


@require_POST
@staff_required
def retry_merge(request, pk):
    return _act(
        request,
        get_object_or_404(Submission, pk=pk),
        lambda submission: services.retry_merge(submission=submission, actor=request.user),
        say=messages.success,
        message=_("The merge is queued again."),
    )


@require_POST
@reviewer_required
def digest(request):
    form = DigestForm(request.POST)
    wanted = form.is_valid() and form.cleaned_data["daily_digest"]
    services.set_daily_digest(reviewer=request.user, wanted=wanted)
    messages.success(request, _("Daily digest switched on.") if wanted else _("Daily digest switched off."))
    return redirect("review:queue")


@staff_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = audit.actions(**{k: v for k, v in filters.items() if v not in (None, "")})
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        audit.write_csv(rows, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="review-actions.csv"'
        return response
    return render(
        request,
        "review/audit.html",
        {
            "form": form,
            "rows": rows[:500],
            "total": rows.count(),
            "failed": selectors.failed_merges(),
            "query": request.GET.urlencode(),
        },
    )
