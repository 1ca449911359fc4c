"""Outreach forms: newsletter sign-up, contact, staff newsletter editor and inbox actions."""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import ContactRequest, Newsletter
from .services import contact, subscriptions


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS, skipped by keyboard); bots that fill it are ignored."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class SubscribeForm(HoneypotMixin):
    email = forms.EmailField(
        max_length=254,
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    consent = forms.BooleanField(required=True, label=subscriptions.CONSENT_LABEL)
    source_page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


def single_line(value: str) -> None:
    """Names end up in mail headers: no line breaks or other control characters."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise forms.ValidationError(_("Please write this on a single line."))


class ContactForm(HoneypotMixin):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False, validators=[single_line])
    email = forms.EmailField(label=_("Email"), max_length=254)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 7}))
    consent = forms.BooleanField(required=True, label=contact.CONSENT_LABEL)


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ["subject", "body_markdown"]
        labels = {"subject": _("Subject"), "body_markdown": _("Body (Markdown)")}
        help_texts = {
            "body_markdown": _(
                "Markdown: **bold**, _italic_, [links](https://…), lists, headings. Raw HTML and scripts are removed."
            )
        }
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 16})}


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *ContactRequest.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ContactRequest.Status.choices], required=False
    )
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        choices=[("", _("Anyone")), ("me", _("Assigned to me")), ("none", _("Unassigned"))],
        required=False,
    )


class ContactUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ContactRequest.Status.choices)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff see notes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = staff.order_by("email")
