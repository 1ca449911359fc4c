"""Forms of the moderation pages: queue filters, decisions, comments, the audit filters, digest opt-in."""

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contributions.models import Submission
from sources.models import Source
from sources.services import default_priority

from .models import ReviewAction
from .selectors import higher_priority_values


class QueueFilterForm(forms.Form):
    country = forms.CharField(label=_("Country"), required=False, max_length=8, help_text=_("Country code, e.g. IT"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Submission.Kind.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Waiting (any)")), *[(s, Submission.Status(s).label) for s in Submission.REVIEWABLE]],
    )
    older_than_days = forms.IntegerField(required=False, min_value=0, max_value=3650, label=_("Older than (days)"))
    submitter = forms.CharField(required=False, max_length=200, label=_("Submitter email"))
    source = forms.ModelChoiceField(
        label=_("Source"),
        required=False,
        queryset=Source.objects.exclude(status=Source.Status.REJECTED).order_by("name"),
        empty_label=_("Any source"),
    )
    has_warnings = forms.ChoiceField(
        required=False,
        label=_("Warnings"),
        choices=[("", _("Any")), ("yes", _("With warnings")), ("no", _("Without warnings"))],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        warnings = {"yes": True, "no": False}.get(data.get("has_warnings") or "")
        return {
            "country": (data.get("country") or "").strip().upper() or None,
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
            "older_than_days": data.get("older_than_days"),
            "submitter": (data.get("submitter") or "").strip() or None,
            "source": data["source"].pk if data.get("source") else None,
            "has_warnings": warnings,
        }


class DecisionForm(forms.Form):
    """A decision on the version shown (a hidden field): a newer one is refused by review.services.

    Source proposals have a priority (set by the reviewer, never the proposer) and no override. Data
    whose values differ from those of a higher-priority source has a third way to approve: keeping
    theirs (APPROVE_KEEP); approving with the override ticked lets the upload replace them."""

    DECISIONS = [("approve", _("Approve")), ("request_changes", _("Request changes")), ("reject", _("Reject"))]
    APPROVE_KEEP = "approve_keep"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    then = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the review page to go back to
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Required to reject or request changes: the submitter reads it."),
    )
    override = forms.BooleanField(
        required=False,
        label=_("Override higher-priority sources"),
        help_text=_("Let this upload replace values that come from a source with a higher priority. Recorded."),
    )
    priority = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1000,
        label=_("Source priority"),
        help_text=_("Higher wins when two sources give a value; set when you approve the source."),
    )

    def __init__(self, *args, submission: Submission | None = None, **kwargs):
        if submission is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "version": submission.version}
        super().__init__(*args, **kwargs)
        if submission is not None and submission.kind == Submission.Kind.SOURCE:
            del self.fields["override"]
            self.fields["priority"].initial = default_priority(submission.source.institution_type)
        else:
            del self.fields["priority"]
        protected = higher_priority_values(submission) if submission is not None else 0
        if protected and "override" in self.fields:
            decision = self.fields["decision"]
            assert isinstance(decision, forms.ChoiceField)
            decision.choices = [
                ("approve", _("Approve (with the override ticked below, this upload replaces their values)")),
                (self.APPROVE_KEEP, _("Approve, keeping the higher-priority values: every other value is merged")),
                *self.DECISIONS[1:],
            ]
            self.fields["override"].help_text = ngettext(
                "With “Approve”: this upload wins over %(count)s value that comes from a source with a "
                "higher priority. Recorded.",
                "With “Approve”: this upload wins over %(count)s values that come from a source with a "
                "higher priority. Recorded.",
                protected,
            ) % {"count": f"{protected:,}"}

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("decision") in ("reject", "request_changes") and not (data.get("comment") or "").strip():
            self.add_error("comment", gettext("Say why: the submitter needs the comment to act on it."))
        if data.get("decision") == self.APPROVE_KEEP and data.get("override"):
            self.add_error(
                "override", gettext("Keeping the higher-priority values and overriding them exclude each other.")
            )
        return data

    def approval(self) -> dict | None:
        """For an approval, the choice about values of higher-priority sources (services.approve's
        `override` and `keep_higher_priority`); None for the other decisions."""
        decision = self.cleaned_data["decision"]
        if decision not in ("approve", self.APPROVE_KEEP):
            return None
        return {
            "override": bool(self.cleaned_data.get("override")),
            "keep_higher_priority": decision == self.APPROVE_KEEP,
        }


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *ReviewAction.Action.choices]
    )
    actor = forms.CharField(required=False, max_length=200, label=_("Actor email"))
    submission = forms.IntegerField(required=False, min_value=1, label=_("Submission #"))
    country = forms.CharField(label=_("Country"), required=False, max_length=8)
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DigestForm(forms.Form):
    daily_digest = forms.BooleanField(
        required=False, label=_("Email me a daily digest of new submissions in my countries")
    )
