"""Pages of a source's feeds (/sources/feeds/...): create and edit (reviewers of the country; a
volunteer's new feed is a proposal), a feed's page, and its actions: trust, revoke, resume,
activate, fetch now, backfill. Thin views over sources.feeds and contributions.feed_runs."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import volunteer_required
from accounts.models import User
from sources import feeds
from sources.feed_forms import BackfillForm, FeedForm, TrustForm
from sources.models import Feed
from sources.visibility import visible_sources

from . import feed_runs
from .models import Submission


def _feed(request: HttpRequest, pk: int) -> Feed:
    return get_object_or_404(
        Feed.objects.select_related("source__country", "trusted_by", "recipe").filter(
            source__in=visible_sources(request.user)
        ),
        pk=pk,
    )


def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _feed(request, pk)
    manager = feeds.can_manage(request.user, feed.source)
    submissions = Submission.objects.visible_to(request.user).filter(feed=feed).order_by("-created_at")[:30]
    return render(
        request,
        "sources/feed_detail.html",
        {
            "feed": feed,
            "source": feed.source,
            "manager": manager,
            "submissions": submissions,
            "trust_form": TrustForm(),
            "backfill_form": BackfillForm(),
            "following": request.user.is_authenticated and feed.followers.filter(pk=request.user.pk).exists(),
        },
    )


@volunteer_required
def feed_edit(request: HttpRequest, source_pk: int | None = None, pk: int | None = None) -> HttpResponse:
    feed = _feed(request, pk) if pk else None
    source = feed.source if feed else get_object_or_404(visible_sources(request.user), pk=source_pk)
    if feed is not None and not feeds.can_manage(request.user, source):
        messages.error(request, _("Only a reviewer of this source's country can change its feeds."))
        return redirect(feed)
    form = FeedForm(request.POST or None, instance=feed, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            saved = feeds.save_feed(feed=form.instance, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        except feeds.FeedError as error:
            form.add_error(None, str(error))
        else:
            if saved.status == Feed.Status.PROPOSED:
                messages.success(request, _("Thank you! A reviewer of the country will look at the feed you proposed."))
            else:
                messages.success(request, _("The feed is saved."))
            return redirect("sources:feed", pk=saved.pk)
    return render(request, "sources/feed_form.html", {"form": form, "source": source, "feed": feed})


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    feed = _feed(request, pk)
    try:
        action(feed)
    except (feeds.FeedError, feed_runs.BackfillRefused) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("sources:feed", pk=feed.pk)


@require_POST
@volunteer_required
def feed_trust(request: HttpRequest, pk: int) -> HttpResponse:
    form = TrustForm(request.POST)
    reason = form.data.get("reason", "")
    return _act(
        request,
        pk,
        lambda feed: feeds.trust(feed=feed, reviewer=request.user, reason=reason),
        _("The feed is trusted: its pure appends are approved in your name."),
    )


@require_POST
@volunteer_required
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda feed: feeds.revoke_trust(feed=feed, reviewer=request.user),
        _("Trust revoked: every file of this feed goes to the queue."),
    )


@require_POST
@volunteer_required
def feed_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda feed: feeds.resume(feed=feed, reviewer=request.user), _("The feed runs again."))


@require_POST
@volunteer_required
def feed_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda feed: feeds.activate(feed=feed, reviewer=request.user), _("The feed is active."))


@require_POST
@volunteer_required
def feed_follow(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _feed(request, pk)
    if request.POST.get("follow") == "0":
        feed.followers.remove(cast(User, request.user))
        messages.success(request, _("You no longer follow this feed."))
    else:
        feed.followers.add(cast(User, request.user))
        messages.success(
            request, _("You follow this feed: you are told when it pauses and when its files are decided.")
        )
    return redirect(feed)


def _run_now(request: HttpRequest, feed: Feed) -> None:
    if not feeds.can_manage(request.user, feed.source):
        raise feeds.FeedError(_("Only a reviewer of this source's country can fetch a feed by hand."))
    result = feed_runs.run_feed(feed_id=feed.pk, force=True)
    if result.error:
        raise feeds.FeedError(_("The fetch failed: %(error)s") % {"error": result.error})
    messages.info(
        request,
        _("%(created)s new file(s); %(unchanged)s unchanged.")
        % {"created": len(result.created), "unchanged": result.unchanged},
    )


@require_POST
@volunteer_required
def feed_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda feed: _run_now(request, feed), _("Fetched."))


def _backfill(request: HttpRequest, feed: Feed) -> None:
    if not feeds.can_manage(request.user, feed.source):
        raise feeds.FeedError(_("Only a reviewer of this source's country can backfill a feed."))
    form = BackfillForm(request.POST)
    if not form.is_valid():
        raise feeds.FeedError(_("Give the first and the last day."))
    data = form.cleaned_data
    result = feed_runs.backfill(feed_id=feed.pk, first=data["first"], last=data["last"], combined=data["combined"])
    counts = {"created": len(result.created), "unchanged": result.unchanged, "error": result.error}
    if result.error:
        text = _("%(created)s file(s) filed; %(unchanged)s already known. Not fetched: %(error)s") % counts
    else:
        text = _("%(created)s file(s) filed; %(unchanged)s already known.") % counts
    messages.info(request, text)


@require_POST
@volunteer_required
def feed_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda feed: _backfill(request, feed), _("Backfill done."))
