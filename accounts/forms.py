"""The volunteer profile form used for onboarding and for later edits."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from places.models import Location

from .models import Skill, VolunteerProfile


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.key})"


class CountryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.key})"


def countries():
    return Location.objects.filter(level=Location.Level.COUNTRY).order_by("name")


class VolunteerProfileForm(forms.ModelForm):
    primary_country = CountryChoiceField(
        queryset=countries(), label=_("Primary country"), help_text=_("The country you know best.")
    )
    other_countries = CountryMultipleChoiceField(
        queryset=countries(),
        required=False,
        label=_("Other countries"),
        help_text=_("Any other countries you can help with."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    skills = forms.MultipleChoiceField(
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Skills"),
        help_text=_("What you can do for the project."),
    )

    # Saved on the user (accounts.language), asked here so it sits with the rest of the profile.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("My browser's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Pages and e-mails are in this language."),
    )

    class Meta:
        model = VolunteerProfile
        fields = ["display_name", "primary_country", "other_countries", "skills", "organisation", "public_listing"]
        labels = {
            "display_name": _("Display name"),
            "organisation": _("Organisation"),
            "public_listing": _("Public listing"),
        }
        help_texts = {
            "display_name": _("Shown in the volunteer directory if you choose to be listed."),
            "public_listing": _("Show me in the public volunteer directory"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["language"].initial = self.instance.user.language

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns cleaned_data
        primary = cleaned.get("primary_country")
        others = cleaned.get("other_countries")
        if primary and others is not None:
            cleaned["other_countries"] = others.exclude(pk=primary.pk)
        return cleaned
