"""Forms of the feed pages: a feed's settings, trusting it, and a backfill's date range."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feed, SourceRecipe


class FeedForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = Feed
        fields = ["name", "url", "schedule", "cron", "recipe"]
        labels = {
            "name": _("Name"),
            "url": _("Url"),
            "schedule": _("Schedule"),
            "cron": _("Cron"),
            "recipe": _("Recipe"),
        }
        help_texts = {
            "name": _("What the file is, e.g. “Regional daily file”"),
            "url": _(
                "http(s) address of the file; {date:%Y%m%d} (any strftime format) stands for the day of a daily file"
            ),
            "cron": _("With the cron schedule: minute hour day-of-month month day-of-week"),
            "recipe": _("The recipe the files must match; empty: any recipe of the source, or none"),
        }
        widgets = {"url": forms.URLInput(attrs={"placeholder": "https://…/file-{date:%Y%m%d}.csv"})}

    def __init__(self, *args: Any, source: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.source = source
        recipe_field = self.fields["recipe"]
        assert isinstance(recipe_field, forms.ModelChoiceField)
        recipe_field.queryset = SourceRecipe.objects.filter(source=source)
        recipe_field.required = False


class TrustForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why its pure appends can be approved without another look; shown with every approval it makes."),
    )


class BackfillForm(forms.Form):
    first = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("First day"))
    last = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Last day"))
    combined = forms.BooleanField(
        required=False, label=_("One submission for all the days (when the files share their columns)")
    )
