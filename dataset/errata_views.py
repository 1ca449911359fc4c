"""Errata pages: the public list (and its CSV), and the reviewer's form to add, edit or remove one.

Thin: who may write and what is listed are dataset.errata's."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import reviewer_required
from accounts.permissions import can_moderate
from places.models import Location, Metric

from . import errata, listing
from .models import Erratum


class ErratumFilterForm(forms.Form):
    country = forms.CharField(
        label=gettext_lazy("Country"), required=False, max_length=8, help_text=gettext_lazy("Country code, e.g. IT")
    )
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("Any kind")), *Erratum.Kind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("Any metric"))] + [  # type: ignore[attr-defined]
            (m.code, m.name) for m in errata.metric_choices()
        ]

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) or "" for name in ("country", "metric", "kind")}


class ErratumForm(forms.ModelForm):
    location_key = forms.CharField(
        label=gettext_lazy("Place key"), max_length=40, help_text=gettext_lazy("e.g. IT or IT_25")
    )
    link = forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("The source's page"),
    )

    class Meta:
        model = Erratum
        fields = ["metric", "kind", "start", "end", "what_is_wrong", "source_said", "link"]
        labels = {
            "metric": gettext_lazy("Metric"),
            "kind": gettext_lazy("Kind"),
            "start": gettext_lazy("Start"),
            "end": gettext_lazy("End"),
            "what_is_wrong": gettext_lazy("What is wrong"),
            "source_said": gettext_lazy("Source said"),
        }
        help_texts = {
            "start": gettext_lazy("First date concerned (for 'no longer reported': the first date without data)"),
            "end": gettext_lazy("Last date concerned; empty: to this day"),
            "source_said": gettext_lazy("What the official source said"),
        }
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "what_is_wrong": forms.Textarea(attrs={"rows": 3}),
            "source_said": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["location_key", "metric", "kind", "start", "end", "what_is_wrong", "source_said", "link"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["location_key"].initial = self.instance.location.key
        self.fields["metric"].queryset = errata.metric_choices()  # type: ignore[attr-defined]
        self.fields["metric"].to_field_name = "code"  # type: ignore[attr-defined]

    def clean_location_key(self):
        key = self.cleaned_data["location_key"].strip()
        location = Location.objects.filter(key__iexact=key).first()
        if location is None:
            raise forms.ValidationError(_("No place has the key %(key)s.") % {"key": repr(key)})
        self.instance.location = location
        return location.key


@require_safe
def errata_list(request):
    form = ErratumFilterForm(request.GET or None)
    rows = errata.public_errata(**(form.filters() if form.is_bound else {}))
    if request.GET.get("format") == "csv":
        return listing.csv_download(rows, errata.ERRATA_NAME, errata.write_csv)
    page, query = listing.page_of(request, rows)
    return render(
        request,
        "dataset/errata.html",
        {"form": form, "page": page, "query": query, "can_add": can_moderate(request.user)},
    )


def _save(request, erratum: Erratum, form: ErratumForm):
    try:
        errata.save(erratum=form.save(commit=False), user=request.user)
    except errata.ErratumRefused as exc:
        form.add_error(None, str(exc))
        return None
    except forms.ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("Erratum saved: it is shown on the place's page, its charts and in the errata list."))
    return redirect("dataset:location", key=form.instance.location.key)


@reviewer_required
def erratum_new(request):
    form = ErratumForm(request.POST or None)
    if request.method == "GET":
        form = ErratumForm(
            initial={
                "location_key": request.GET.get("location", "")[:40],
                "metric": Metric.objects.filter(code=request.GET.get("metric", "")[:40]).first(),
            }
        )
    elif form.is_valid():
        done = _save(request, form.instance, form)
        if done is not None:
            return done
    return render(request, "dataset/erratum_form.html", {"form": form, "erratum": None})


@reviewer_required
def erratum_edit(request, pk: int):
    erratum = get_object_or_404(Erratum.objects.select_related("location", "metric"), pk=pk)
    if not errata.may_edit(request.user, erratum.location):
        messages.error(request, _("Only reviewers of this country can edit its errata."))
        return redirect("dataset:errata")
    form = ErratumForm(request.POST or None, instance=erratum)
    if request.method == "POST" and form.is_valid():
        done = _save(request, erratum, form)
        if done is not None:
            return done
    return render(request, "dataset/erratum_form.html", {"form": form, "erratum": erratum})


@require_POST
@reviewer_required
def erratum_delete(request, pk: int):
    erratum = get_object_or_404(Erratum.objects.select_related("location"), pk=pk)
    try:
        errata.delete(erratum=erratum, user=request.user)
    except errata.ErratumRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Erratum removed."))
    return redirect("dataset:errata")
