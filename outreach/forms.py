"""Outreach forms: newsletter sign-up, contact, staff newsletter editor and inbox actions."""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model

from .models import ContactRequest, Newsletter
from .services import contact, subscriptions


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS, skipped by keyboard); bots that fill it are ignored."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class SubscribeForm(HoneypotMixin):
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    consent = forms.BooleanField(required=True, label=subscriptions.CONSENT_TEXT)
    source_page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


def single_line(value: str) -> None:
    """Names end up in mail headers: no line breaks or other control characters."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise forms.ValidationError("Please write this on a single line.")


class ContactForm(HoneypotMixin):
    name = forms.CharField(max_length=120, validators=[single_line])
    organisation = forms.CharField(max_length=200, required=False, validators=[single_line])
    email = forms.EmailField(max_length=254)
    message = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 7}))
    consent = forms.BooleanField(required=True, label=contact.CONSENT_TEXT)


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ["subject", "body_markdown"]
        labels = {"body_markdown": "Body (Markdown)"}
        help_texts = {
            "body_markdown": "Markdown: **bold**, _italic_, [links](https://…), lists, headings. "
            "Raw HTML and scripts are removed."
        }
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 16})}


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ContactRequest.Kind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *ContactRequest.Status.choices], required=False)
    assignee = forms.ChoiceField(
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("none", "Unassigned")], required=False
    )


class ContactUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ContactRequest.Status.choices)
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Nobody")
    note = forms.CharField(
        required=False,
        max_length=5000,
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff see notes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = staff.order_by("email")
