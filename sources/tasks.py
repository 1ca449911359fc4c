"""Sources tasks: freshness checks of approved sources' URLs; thin wrappers, each safe to run twice."""

from celery import shared_task

from common.tasks import PortalTask

from . import feeds, freshness
from .models import Source


@shared_task(base=PortalTask)
def check_source(source_id: int) -> bool | None:
    result = freshness.check_source(source_id=source_id)
    return None if result is None else result.ok


@shared_task(base=PortalTask)
def check_all_sources() -> int:
    """Beat task: one check per approved source, each in its own task so a slow host delays no other."""
    ids = list(Source.objects.filter(status=Source.Status.APPROVED).values_list("pk", flat=True))
    for pk in ids:
        check_source.delay(pk)
    return len(ids)


@shared_task(base=PortalTask)
def send_feed_paused_emails(feed_id: int) -> int:
    """E-mail the followers and reviewers of a paused feed (those who did not turn these e-mails off)."""
    return feeds.send_paused_emails(feed_id=feed_id)
