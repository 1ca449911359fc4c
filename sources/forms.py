"""Forms of the sources registry: the list filters and the "propose a source" form."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from places.models import Location, Metric

from . import feeds, services
from .models import Feed, Source
from .visibility import HIDDEN_DUPLICATE, Viewer, can_view_source

INTERNATIONAL = "none"
FORMAT_SUGGESTIONS = "CSV, XLSX, JSON, API, HTML, PDF"


class SourceFilterForm(forms.Form):
    """The list page's form of filters.SourceListFilter: menus of the values the page lists, so a
    value it does not offer is invalid and ignored on its own rather than failing the page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    institution_type = forms.ChoiceField(
        label=_("Institution type"), required=False, choices=[("", _("Any type")), *Source.InstitutionType.choices]
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    metric = forms.ChoiceField(label=_("Metric"), required=False)

    def __init__(
        self, *args: Any, countries: Iterable[Location] = (), statuses: Iterable[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Source.Status.choices)
        menus: dict[str, list[tuple[str, Any]]] = {
            "country": [
                ("", _("Any country")),
                (INTERNATIONAL, _("International (no country)")),
                *[(c.key, c.name) for c in countries],
            ],
            "status": [("", _("Any status")), *[(s, labels[s]) for s in statuses]],
            "metric": [("", _("Any metric")), *Metric.objects.values_list("code", "name")],
        }
        for name, choices in menus.items():
            cast(forms.ChoiceField, self.fields[name]).choices = choices


def _priority_help() -> str:
    rows = ", ".join(f"{label} {priority}" for label, priority in services.priority_table())
    return gettext(
        "Sets the source's default priority (higher wins when two sources give a value): "
        "%(priorities)s. Reviewers can adjust it."
    ) % {"priorities": rows}


if TYPE_CHECKING:  # the field is generic for the type checker only
    _MetricsField = forms.ModelMultipleChoiceField[Metric]
else:
    _MetricsField = forms.ModelMultipleChoiceField


class MetricChoiceField(_MetricsField):
    def label_from_instance(self, metric: Metric) -> str:
        return f"{metric.name} ({metric.code})"


class SourceProposalForm(forms.Form):
    """What a volunteer tells us about an official source; the service decides whether it is new."""

    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("How the source is known, e.g. “Protezione Civile COVID-19 data”.")
    )
    institution = forms.CharField(
        label=_("Institution"),
        max_length=200,
        help_text=_("Who publishes it, e.g. “Dipartimento della Protezione Civile”."),
    )
    institution_type = forms.ChoiceField(label=_("Institution type"), choices=Source.InstitutionType.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Location.objects.filter(level=Location.Level.COUNTRY).order_by("name"),
        to_field_name="key",
        required=False,
        empty_label=_("None: international source"),
    )
    subregion = forms.CharField(
        label=_("Region (optional)"),
        required=False,
        max_length=64,
        help_text=_("For a regional body: its ISO 3166-2 code, e.g. IT-25 for Lombardy."),
    )
    url = forms.URLField(
        label=_("URL of the public page or file"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The page where the institution publishes the figures."),
    )
    data_format = forms.CharField(label=_("Format"), max_length=50, required=False, help_text=FORMAT_SUGGESTIONS)
    cadence = forms.ChoiceField(label=_("Update cadence"), choices=Source.Cadence.choices, initial=Source.Cadence.DAILY)
    licence = forms.CharField(
        label=_("Licence"),
        max_length=200,
        required=False,
        help_text=_("As the institution states it (e.g. CC BY 4.0, public domain). Leave empty if unclear."),
    )
    attribution = forms.CharField(
        label=_("Attribution"),
        max_length=500,
        required=False,
        help_text=_("The credit line the licence asks for."),
    )
    metrics = MetricChoiceField(
        queryset=Metric.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Metrics covered"),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Anything reviewers should know: how to download, caveats, definitions."),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label=_("Message to reviewers")
    )
    feed_url = forms.CharField(
        label=_("Machine-readable file (optional)"),
        max_length=500,
        required=False,
        help_text=_(
            "If the institution publishes a CSV/XLSX/JSON file at a stable address, give it and we can fetch "
            "it on a schedule (a feed; a reviewer activates it). For one file per day, write the day as "
            "{date:%Y%m%d}, e.g. …/dpc-covid19-ita-regioni-{date:%Y%m%d}.csv."
        ),
    )

    def __init__(self, *args: Any, user: Viewer = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["institution_type"].help_text = _priority_help()
        profile = getattr(user, "profile", None)
        if profile is not None and profile.primary_country_id and "country" not in self.initial:
            self.initial["country"] = profile.primary_country.key

    def clean_subregion(self) -> Location | None:
        code = self.cleaned_data["subregion"].strip().upper()
        if not code:
            return None
        key = code.replace("-", "_")
        region = Location.objects.filter(
            Q(key=key) | Q(iso_3166_2=code), level__in=[Location.Level.REGION, Location.Level.SUBREGION]
        ).first()
        if region is None:
            raise ValidationError(
                gettext("We do not know the region “%(code)s”. Use an ISO 3166-2 code such as IT-25.") % {"code": code}
            )
        return region

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            services.check_url(url)
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"])
        existing = services.find_duplicate(url)
        if existing is not None:
            raise ValidationError(duplicate_message(existing, self.user))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "institution_type" in data and "country" in data and "subregion" in data:
            try:
                services.check_location(
                    institution_type=data["institution_type"], country=data["country"], subregion=data["subregion"]
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data

    def clean_feed_url(self) -> str:
        url: str = self.cleaned_data["feed_url"].strip()
        if url:
            try:
                feeds.check_feed(Feed(url=url))
            except ValidationError as error:
                raise ValidationError([m for messages in error.message_dict.values() for m in messages]) from error
        return url

    def service_kwargs(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key != "feed_url"}


def duplicate_message(existing: Source, user: Viewer) -> str:
    """Why a URL is refused, with a link to the source when the user may open it."""
    if user is not None and can_view_source(user, existing):
        return format_html(
            gettext('This URL is already registered: <a href="{}">{}</a> ({}). Upload its data there instead.'),
            reverse("sources:detail", kwargs={"pk": existing.pk}),
            existing.name,
            existing.get_status_display().lower(),
        )
    return gettext(HIDDEN_DUPLICATE)
