"""Forms of the public data pages: the countries search and the provenance date filter."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CountrySearchForm(forms.Form):
    """Search by name, alias or key; sort by one of `choices` (built from the metrics that exist)."""

    q = forms.CharField(
        label=_("Search countries"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, alias or code")}),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args: Any, sorts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = list(sorts.items())  # type: ignore[attr-defined]


class ProvenanceFilterForm(forms.Form):
    on = forms.DateField(label=_("Only this date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
