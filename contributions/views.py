"""Pages for volunteers' submissions: upload, my submissions, a submission with its report; and
on /sources/, proposing a source and a source's page with its uploads and proposals."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import verified_required, volunteer_required
from accounts.models import User
from sources import feeds
from sources import services as registry
from sources.forms import SourceProposalForm, duplicate_message
from sources.models import Feed
from sources.services import DuplicateSource, SourceProposalError
from sources.visibility import can_view_source, visible_sources

from . import proposals, recipes, services, upload_limit
from .forms import ReplaceFileForm, UploadForm
from .mapping import MappingForm
from .models import Submission
from .reporting import error_rows_csv, grouped_problems, left_out_columns, preview_rows


def visible_submission(request, pk) -> Submission:
    """The submission if this user may see it (own, or in their review scope); 404 otherwise."""
    queryset = Submission.objects.visible_to(request.user).select_related("source", "country", "submitter")
    return get_object_or_404(queryset, pk=pk)


@volunteer_required
def upload(request):
    initial = {"source": request.GET.get("source")} if request.GET.get("source") else None
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            upload_limit.take(request)  # the API's per-user upload limit, one counter for every path
            submission = services.create_upload_with_source(
                submitter=request.user,
                source=form.cleaned_data["source"],
                proposal=form.proposal(),
                uploaded=form.cleaned_data["file"],
                comment=form.cleaned_data["comment"],
            )
        except DuplicateSource as exc:
            message = duplicate_message(exc.existing, request.user)
            if can_view_source(request.user, exc.existing):
                link = f"{request.path}?source={exc.existing.pk}"
                message = format_html('{} <a href="{}">{}</a>', message, link, _("Upload for that source instead."))
            form.add_error("new_source_url", message)
        except SourceProposalError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(f"new_source_{field}" if f"new_source_{field}" in form.fields else None, errors)
        except services.UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Thank you! Your file is being checked; this page updates by itself."))
            return redirect(submission)
    return render(request, "contributions/upload.html", {"form": form})


@verified_required
def mine(request):
    submissions = Submission.objects.filter(submitter=request.user).select_related("source", "country")
    status = request.GET.get("status")
    if status in Submission.Status.values:
        submissions = submissions.filter(status=status)
    page = Paginator(submissions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "contributions/mine.html",
        {
            "page": page,
            "statuses": Submission.Status.choices,
            "status": status,
        },
    )


@verified_required
def detail(request, pk):
    submission = visible_submission(request, pk)
    context = {
        "submission": submission,
        "problems": grouped_problems(submission.report),
        "left_out": left_out_columns(submission.report or {}),
        "preview": preview_rows(submission),
        "replace_form": ReplaceFileForm(),
        "can_edit": submission.can_be_edited_by(request.user),
        "earlier_files": submission.earlier_files.all(),
        "actions": submission.actions.select_related("actor") if hasattr(submission, "actions") else [],
    }
    return render(request, "contributions/detail.html", context)


@verified_required
def mapping(request, pk):
    """The mapping step: which column is which, the place of each unknown name, the sheets and rows
    to read, the recipe to apply; saving checks the file again (contributions.mapping)."""
    submission = visible_submission(request, pk)
    if not submission.can_be_edited_by(request.user):
        messages.info(request, _("This submission can no longer be changed."))
        return redirect(submission)
    form = MappingForm(request.POST or None, submission=submission)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mapping(submission=submission, user=request.user, mapping=form.to_mapping())
        except services.UploadRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Mapping saved; checking the file again with it."))
        return redirect(submission)
    return render(request, "contributions/mapping.html", {"submission": submission, "form": form})


@verified_required
def status(request, pk):
    """Polled by the submission page while validation runs."""
    submission = visible_submission(request, pk)
    return JsonResponse(
        {
            "id": submission.pk,
            "status": submission.status,
            "status_label": submission.get_status_display(),
            "progress": submission.progress,
            "message": _(submission.progress_message) if submission.progress_message else "",
            "busy": submission.is_busy or submission.is_merging,
        }
    )


@verified_required
def error_report(request, pk):
    """The file's rows with an extra `error` column: the way volunteers fix a file."""
    submission = visible_submission(request, pk)
    rows = error_rows_csv(submission, language=get_language())  # English, and the reader's language
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="submission-{submission.pk}-problems.csv"'
    return response


@verified_required
def download(request, pk):
    """The original file, for the submitter, reviewers in scope and staff only."""
    submission = visible_submission(request, pk)
    if not submission.file:
        raise Http404(_("No file"))
    return FileResponse(
        submission.file.open("rb"),
        as_attachment=True,
        filename=submission.original_filename or f"submission-{submission.pk}",
    )


@require_POST
@verified_required
def replace(request, pk):
    submission = visible_submission(request, pk)
    form = ReplaceFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            upload_limit.take(request)
            services.replace_file(submission=submission, user=request.user, uploaded=form.cleaned_data["file"])
            messages.success(request, _("Corrected file received; checking it now. The earlier version is kept."))
        except services.UploadRefused as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(str(error) for error in form.errors.get("file", [_("Choose a file.")])))
    return redirect(submission)


@require_POST
@verified_required
def withdraw(request, pk):
    submission = visible_submission(request, pk)
    try:
        services.withdraw(submission=submission, user=request.user)
        messages.success(request, _("Submission withdrawn."))
    except services.UploadRefused as exc:
        messages.error(request, str(exc))
    return redirect(submission)


# --- sources: a source's page and proposing one (mounted under /sources/ by source_urls) ------------


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(
        visible_sources(request.user).select_related("country", "subregion", "proposed_by", "approved_by"), pk=pk
    )
    uploads = Submission.objects.filter(source=source, kind=Submission.Kind.DATA)
    counts = {row["status"]: row["n"] for row in uploads.values("status").annotate(n=Count("id"))}
    status_labels = dict(Submission.Status.choices)
    # Files and proposals are listed to those who may open them: their submitter and reviewers in scope.
    visible = Submission.objects.visible_to(request.user).filter(source=source)
    listed_uploads = visible.filter(kind=Submission.Kind.DATA).select_related("submitter")[:50]
    source_proposals = visible.filter(kind=Submission.Kind.SOURCE)
    # Every approved upload that brought a layout or mapping saved it as the recipe: its history, newest first.
    recipe_history = (
        uploads.filter(approved_at__isnull=False)
        .exclude(layout="", mapping={})
        .order_by("-approved_at")
        .values("pk", "approved_at", "layout", "mapping")[:20]
    )
    return render(
        request,
        "sources/detail.html",
        {
            "source": source,
            "upload_counts": [(status_labels[s], n) for s, n in counts.items()],
            "upload_total": sum(counts.values()),
            "merged_total": counts.get(Submission.Status.MERGED, 0),
            "listed_uploads": listed_uploads,
            "proposals": source_proposals,
            "recipe_history": recipe_history,
            "source_recipes": recipes.listed(source),
            "priority_table": registry.priority_table(),
            "default_priority": registry.default_priority(source.institution_type),
            "metrics": source.metrics.all(),
            "feeds": source.feeds.all(),
            "can_manage_feeds": feeds.can_manage(request.user, source),
        },
    )


@volunteer_required
def propose(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # volunteer_required let only a signed-in volunteer through
    left = proposals.proposals_left(user)
    status = 200
    if request.method == "POST":
        form = SourceProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                submission = proposals.propose_source(proposer=user, **form.service_kwargs())
                if form.cleaned_data.get("feed_url"):
                    feed = Feed(
                        source=submission.source, name="Proposed with the source", url=form.cleaned_data["feed_url"]
                    )
                    feeds.save_feed(feed=feed, user=user)
            except DuplicateSource as error:
                form.add_error("url", duplicate_message(error.existing, request.user))
            except proposals.TooManyProposals as error:
                form.add_error(None, str(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you! The source is registered and awaits review by a moderator; "
                        "its status is shown on this page."
                    ),
                )
                return redirect(submission.source)
    else:
        initial = {key: request.GET[key] for key in ("url", "name", "country") if request.GET.get(key)}
        form = SourceProposalForm(initial=initial, user=request.user)
    return render(
        request,
        "sources/propose.html",
        {
            "form": form,
            "proposals_left": left,
            "priority_table": registry.priority_table(),
        },
        status=status,
    )
