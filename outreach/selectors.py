"""Reads the outreach pages share: the staff inbox and the newsletter's subscriber counts."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import ContactRequest, Newsletter, NewsletterSubscription


def inbox(*, user: Any, kind: str = "", status: str = "", assignee: str = "") -> QuerySet[ContactRequest]:
    """Contact requests for the staff inbox, with their note counts; `assignee` is "me", "none" or ""."""
    requests = ContactRequest.objects.select_related("assignee").annotate(note_count=Count("notes"))
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    if assignee == "me":
        requests = requests.filter(assignee=user)
    elif assignee == "none":
        requests = requests.filter(assignee__isnull=True)
    return requests


def inbox_counts() -> dict[str, int]:
    """How many contact requests are in each status."""
    return ContactRequest.objects.aggregate(**{s.value: Count("id", filter=Q(status=s)) for s in ContactRequest.Status})


def subscriber_counts() -> dict[str, int]:
    """How many addresses are pending, confirmed and unsubscribed."""
    return {s: NewsletterSubscription.objects.filter(status=s).count() for s in NewsletterSubscription.Status}


def confirmed_subscriber_count() -> int:
    return NewsletterSubscription.objects.filter(status=NewsletterSubscription.Status.CONFIRMED).count()


def recent_issues(limit: int = 100) -> QuerySet[Newsletter]:
    return Newsletter.objects.all()[:limit]
