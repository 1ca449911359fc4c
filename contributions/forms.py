"""Forms for data uploads: the upload itself, a corrected file, and the column mapping."""
from django import forms
from django.conf import settings
from django.db.models import Q

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
    source = SourceChoiceField(queryset=Source.objects.none(), help_text="The official source the file comes from.")
    file = FileField()
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is in the file and where you got it (the page, the date you downloaded it).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources_open_for_upload(user)


class ReplaceFileForm(forms.Form):
    file = FileField(label="Corrected file")
