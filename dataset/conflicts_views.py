"""Public pages of conflicts between sources (per country, with a CSV) and of the source priority
table; reviewers of a country mark its conflicts as explained. Thin: dataset.conflicts decides."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import reviewer_required
from places.models import Location

from . import conflicts, listing
from .errata import may_edit
from .models import ObservationHistory


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


@require_safe
def conflict_index(request):
    return render(request, "dataset/conflicts_index.html", {"countries": conflicts.countries_with_conflicts()})


@require_safe
def conflict_report(request, country: str):
    code = country.upper()[:8]
    place = Location.objects.filter(key=code).first()
    explained = {"yes": True, "no": False}.get(request.GET.get("explained", ""))
    rows = conflicts.conflicts(country=code, metric=request.GET.get("metric", "")[:40], explained=explained)
    if request.GET.get("format") == "csv":
        return listing.csv_download(rows, f"conflicts-{code}.csv", conflicts.write_csv)
    page, query = listing.page_of(request, rows)
    return render(
        request,
        "dataset/conflicts.html",
        {
            "country": code,
            "place": place,
            "items": [conflicts.describe(row) for row in page],
            "page": page,
            "query": query,
            "can_explain": place is not None and may_edit(request.user, place),
            "explain_form": ExplainForm(),
        },
    )


@require_POST
@reviewer_required
def explain_conflict(request, country: str, pk: int):
    row = get_object_or_404(ObservationHistory.objects.select_related("location"), pk=pk)
    form = ExplainForm(request.POST)
    try:
        if not form.is_valid():
            raise conflicts.ExplanationRefused("Write the explanation first.")
        conflicts.explain(row=row, user=request.user, explanation=form.cleaned_data["explanation"])
    except conflicts.ExplanationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Conflict marked as explained."))
    return redirect("dataset:conflicts", country=country.upper()[:8])


@require_safe
def priorities(request):
    return render(request, "dataset/priorities.html", {"sources": conflicts.sources_by_priority()})
