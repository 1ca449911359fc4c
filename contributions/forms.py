"""Forms for data uploads: the upload itself, a corrected file, and the column mapping."""

from typing import cast

from django import forms
from django.conf import settings
from django.db.models import Q

from places.models import Location
from sources.models import Source


def sources_open_for_upload(user):
    """Approved sources, plus the sources this user proposed (their first upload can go with the proposal)."""
    return (
        Source.objects.filter(Q(status=Source.Status.APPROVED) | Q(status=Source.Status.PROPOSED, proposed_by=user))
        .select_related("country")
        .order_by("country__name", "name")
    )


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.country.name if obj.country_id else "International"
        pending = " (awaiting review)" if obj.status == Source.Status.PROPOSED else ""
        return f"{where}: {obj.name}{pending}"


class FileField(forms.FileField):
    def __init__(self, **kwargs):
        limit = settings.UPLOAD_MAX_BYTES // 1_048_576
        kwargs.setdefault("help_text", f"CSV, TSV, XLSX or JSON records, up to {limit} MB.")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and uploaded.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {uploaded.size / 1_048_576:.1f} MB; the limit is "
                f"{settings.UPLOAD_MAX_BYTES / 1_048_576:.0f} MB."
            )
        return uploaded


class UploadForm(forms.Form):
    source = SourceChoiceField(
        queryset=Source.objects.none(),
        required=False,
        help_text="The official source the file comes from. Not listed? Propose it below, in the same step.",
    )
    file = FileField()
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is in the file and where you got it (the page, the date you downloaded it).",
    )

    # Proposing the source in the same step (it waits for review; the upload can be checked meanwhile)
    new_source_name = forms.CharField(required=False, max_length=200, label="New source: institution's name")
    new_source_type = forms.ChoiceField(
        required=False, label="New source: type of institution", choices=[("", "–"), *Source.InstitutionType.choices]
    )
    new_source_url = forms.URLField(
        required=False, max_length=500, label="New source: URL of the data", assume_scheme="https"
    )
    new_source_country = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, label="New source: country"
    )
    new_source_licence = forms.CharField(required=False, max_length=200, label="New source: licence")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["source"]).queryset = sources_open_for_upload(user)
        cast(forms.ModelChoiceField, self.fields["new_source_country"]).queryset = Location.objects.filter(
            level=Location.Level.COUNTRY
        )
        profile = getattr(user, "profile", None)
        if profile and profile.primary_country_id:
            self.fields["new_source_country"].initial = profile.primary_country_id

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        proposing = any(cleaned.get(f) for f in ("new_source_name", "new_source_url"))
        if cleaned.get("source") and proposing:
            raise forms.ValidationError("Choose a registered source or propose a new one, not both.")
        if not cleaned.get("source") and not proposing:
            self.add_error("source", "Choose the source of the file, or propose a new one below.")
        if proposing:
            for name in ("new_source_name", "new_source_type", "new_source_url"):
                if not cleaned.get(name):
                    self.add_error(name, "Needed to propose a new source.")
        return cleaned

    def proposal(self) -> dict | None:
        """Keyword arguments for proposals.propose_source, when a new source is proposed."""
        data = self.cleaned_data
        if data.get("source"):
            return None
        return {
            "name": data["new_source_name"],
            "institution": data["new_source_name"],
            "institution_type": data["new_source_type"],
            "url": data["new_source_url"],
            "country": data.get("new_source_country"),
            "licence": data.get("new_source_licence", ""),
        }


class ReplaceFileForm(forms.Form):
    file = FileField(label="Corrected file")
