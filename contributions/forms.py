"""Forms for data uploads: the upload itself, a corrected file, and the column mapping."""

from typing import cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        where = obj.country.name if obj.country_id else _("International")
        if obj.status == Source.Status.PROPOSED:
            return _("%(where)s: %(name)s (awaiting review)") % {"where": where, "name": obj.name}
        return f"{where}: {obj.name}"


def _size_help(limit: int) -> str:
    return _("CSV, TSV, XLSX or JSON records, up to %(limit)s MB.") % {"limit": limit}


class FileField(forms.FileField):
    def __init__(self, **kwargs):
        limit = settings.UPLOAD_MAX_BYTES // 1_048_576
        kwargs.setdefault("label", gettext_lazy("File"))
        kwargs.setdefault("help_text", lazy(_size_help, str)(limit))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and uploaded.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{uploaded.size / 1_048_576:.1f}", "limit": f"{settings.UPLOAD_MAX_BYTES / 1_048_576:.0f}"}
            )
        return uploaded


class UploadForm(forms.Form):
    source = SourceChoiceField(
        queryset=Source.objects.none(),
        required=False,
        label=gettext_lazy("Source"),
        help_text=gettext_lazy(
            "The official source the file comes from. Not listed? Propose it below, in the same step."
        ),
    )
    file = FileField()
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Comment"),
        help_text=gettext_lazy("What is in the file and where you got it (the page, the date you downloaded it)."),
    )

    # Proposing the source in the same step (it waits for review; the upload can be checked meanwhile)
    new_source_name = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("New source: institution's name")
    )
    new_source_type = forms.ChoiceField(
        required=False,
        label=gettext_lazy("New source: type of institution"),
        choices=[("", "–"), *Source.InstitutionType.choices],
    )
    new_source_url = forms.URLField(
        required=False, max_length=500, label=gettext_lazy("New source: URL of the data"), assume_scheme="https"
    )
    new_source_country = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, label=gettext_lazy("New source: country")
    )
    new_source_licence = forms.CharField(required=False, max_length=200, label=gettext_lazy("New source: licence"))

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
            raise forms.ValidationError(_("Choose a registered source or propose a new one, not both."))
        if not cleaned.get("source") and not proposing:
            self.add_error("source", _("Choose the source of the file, or propose a new one below."))
        if proposing:
            for name in ("new_source_name", "new_source_type", "new_source_url"):
                if not cleaned.get(name):
                    self.add_error(name, _("Needed to propose a new source."))
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
    file = FileField(label=gettext_lazy("Corrected file"))
