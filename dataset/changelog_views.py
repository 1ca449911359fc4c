"""A release's changelog page: what changed per place and metric, and the submissions (reviews) or
revert behind it."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import changelog
from .models import Release


@require_safe
def release_changes(request, number: int):
    release = Release.objects.filter(number=number).prefetch_related("submissions", "files").first()
    if release is None:
        raise Http404("No such release")
    changes = changelog.summary(release)
    return render(
        request,
        "dataset/release_changes.html",
        {
            "release": release,
            "changes": changes,
            "countries": changelog.per_country(changes),
            "submissions": list(release.submissions.all()),
            "reverts": list(release.reverts.select_related("submission", "proposed_by", "confirmed_by")),
            "previous": Release.objects.filter(number__lt=number)
            .order_by("-number")
            .values_list("number", flat=True)
            .first(),
            "next": Release.objects.filter(number__gt=number)
            .order_by("number")
            .values_list("number", flat=True)
            .first(),
        },
    )
