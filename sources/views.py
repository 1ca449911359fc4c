"""Pages of the sources registry: the filterable list, a source's page, and proposing a source."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render

from accounts.decorators import volunteer_required
from contributions.models import Submission
from places.models import Location

from . import services
from .forms import SourceFilterForm, SourceProposalForm, duplicate_message
from .visibility import visible_sources, visible_statuses

PAGE_SIZE = 50


def source_list(request):
    sources = visible_sources(request.user)
    countries = Location.objects.filter(pk__in=sources.exclude(country=None).values("country")).order_by("name")
    form = SourceFilterForm(request.GET or None, countries=countries, statuses=visible_statuses(request.user))
    filtered = form.filter(sources).select_related("country", "subregion").prefetch_related("metrics")
    page = Paginator(filtered.order_by("-priority", "name"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "sources/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count,
    })


def source_detail(request, pk):
    source = get_object_or_404(
        visible_sources(request.user).select_related("country", "subregion", "proposed_by", "approved_by"), pk=pk
    )
    uploads = Submission.objects.filter(source=source, kind=Submission.Kind.DATA)
    counts = {row["status"]: row["n"] for row in uploads.values("status").annotate(n=Count("id"))}
    status_labels = dict(Submission.Status.choices)
    # Files and proposals are listed to those who may open them: their submitter and reviewers in scope.
    visible = Submission.objects.visible_to(request.user).filter(source=source)
    listed_uploads = visible.filter(kind=Submission.Kind.DATA).select_related("submitter")[:50]
    proposals = visible.filter(kind=Submission.Kind.SOURCE)
    return render(request, "sources/detail.html", {
        "source": source,
        "upload_counts": [(status_labels[s], n) for s, n in counts.items()],
        "upload_total": sum(counts.values()),
        "merged_total": counts.get(Submission.Status.MERGED, 0),
        "listed_uploads": listed_uploads,
        "proposals": proposals,
        "priority_table": services.priority_table(),
        "default_priority": services.default_priority(source.institution_type),
        "metrics": source.metrics.all(),
    })


@volunteer_required
def propose(request):
    left = services.proposals_left(request.user)
    status = 200
    if request.method == "POST":
        form = SourceProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                submission = services.propose_source(proposer=request.user, **form.service_kwargs())
            except services.DuplicateSource as error:
                form.add_error("url", duplicate_message(error.existing, request.user))
            except services.TooManyProposals as error:
                form.add_error(None, str(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    "Thank you! The source is registered and awaits review by a moderator; "
                    "its status is shown on this page.",
                )
                return redirect(submission.source)
    else:
        initial = {key: request.GET[key] for key in ("url", "name", "country") if request.GET.get(key)}
        form = SourceProposalForm(initial=initial, user=request.user)
    return render(request, "sources/propose.html", {
        "form": form, "proposals_left": left, "priority_table": services.priority_table(),
    }, status=status)
