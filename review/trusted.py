"""Trusted feeds, four eyes kept: a fetched file is approved by the standing decision of the reviewer
who trusted its feed, only when nothing in it needs a person's judgement.

When the validation of a feed's submission finishes (contributions.signals.validation_finished):
- a file that needs a mapping, or is invalid, counts as a failure of the feed (sources.feeds), and
  waits for a volunteer to map or fix it;
- a valid file of a trusted feed is approved in the name of the reviewer who trusted it when its
  recipe matched (the feed's recipe, if it names one), validation gave no error and no warning, and
  the diff only adds values for dates after the last one merged from the source (nothing changed,
  nothing re-sent, nothing of a higher-priority source touched). Otherwise it waits in the queue.
The audit log says "approved by the trusted-feed decision of <reviewer> on <date>".
"""

import datetime as dt
import logging
from typing import Any

from django.db.models import Max

from contributions.models import Submission
from dataset.models import Observation
from sources import feeds
from sources.models import Feed

from . import services
from .models import ReviewAction

logger = logging.getLogger(__name__)

Status = Submission.Status


def trusted_comment(feed: Feed) -> str:
    when = feed.trusted_at.date().isoformat() if feed.trusted_at else "an unknown date"
    who = feed.trusted_by.english_name if feed.trusted_by else "a reviewer"
    return f"Approved by the trusted-feed decision of {who} on {when}: {feed.trusted_reason}"


def last_merged_date(feed: Feed) -> dt.date | None:
    return Observation.objects.filter(source_id=feed.source_id).aggregate(last=Max("date"))["last"]


def why_not_trusted(submission: Submission, feed: Feed) -> str | None:
    """Why the standing decision does not cover this file (None: it does)."""
    if not feed.trusted or feed.trusted_by is None:
        return "the feed is not trusted"
    if submission.status != Status.AWAITING_REVIEW:
        return f"the submission is {submission.get_status_display().lower()}"
    if submission.error_count or submission.warning_count:
        return "validation reported errors or warnings"
    applied = (submission.report or {}).get("recipe")
    if feed.recipe_id and (not applied or applied.get("id") != feed.recipe_id):
        return "the file does not match the feed's recipe"
    diff: dict[str, Any] = submission.diff or {}
    counts = diff.get("counts") or {}
    if not counts.get("new") or counts.get("changed") or counts.get("unchanged"):
        return "the file changes or repeats published values"
    if (diff.get("higher_priority") or {}).get("count") or diff.get("series_truncated"):
        return "the file touches values of a higher-priority source"
    last = last_merged_date(feed)
    if last is None:
        return "nothing of this source is merged yet: a reviewer looks at the first file"
    firsts = [series.get("first_date") or "" for series in diff.get("series") or []]
    if not firsts or min(firsts) <= last.isoformat():
        return f"the file has dates on or before {last.isoformat()}, the last one merged"
    return None


def approve_if_trusted(*, submission_id: int) -> ReviewAction | None:
    """Approve a feed's file by the standing decision when it qualifies; None (it stays queued) otherwise."""
    submission = Submission.objects.select_related("feed__trusted_by", "source").filter(pk=submission_id).first()
    if submission is None or submission.feed is None:
        return None
    feed = submission.feed
    reason = why_not_trusted(submission, feed)
    if reason is not None:
        logger.info("Submission %s of feed %s goes to the queue: %s", submission_id, feed.pk, reason)
        return None
    try:
        return services.approve(submission=submission, reviewer=feed.trusted_by, comment=trusted_comment(feed))
    except services.ReviewError as error:  # e.g. the reviewer's scope changed: a person decides
        logger.info("Trusted approval of submission %s refused: %s", submission_id, error)
        return None


def on_validation_finished(sender: object, *, submission_id: int, status: str, **kwargs: object) -> None:
    """contributions.signals.validation_finished: count a feed's unusable file, approve a trusted one."""
    feed_id = Submission.objects.filter(pk=submission_id).values_list("feed_id", flat=True).first()
    if feed_id is None:
        return
    if status in (Status.NEEDS_MAPPING, Status.INVALID):
        what = "needs a new column mapping" if status == Status.NEEDS_MAPPING else "is not valid"
        feeds.record_failure(feed_id=feed_id, error=f"the fetched file (submission #{submission_id}) {what}")
    elif status == Status.AWAITING_REVIEW:
        feeds.record_usable_file(feed_id=feed_id)
        approve_if_trusted(submission_id=submission_id)
