"""Running a feed: fetch its file(s) (sources.fetching), and turn content we have not seen into an
upload of the source, attributed to the feed, that goes through the same validation, diff and
review as any upload (contributions.services.create_upload).

Safe to run twice, and after a worker died half-way: content is known by its SHA-256, so a file
already filed as a submission of the feed is never filed again; the feed row is locked while a
file is filed, so two runs of one feed never race.
"""

import datetime as dt
import hashlib
import logging
import posixpath
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sources import feeds, fetching
from sources.models import Feed, Source

from .models import Submission
from .services import create_upload

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What one run did: the submissions it made, the files that were unchanged, and the error that stopped it."""

    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    not_yet_published: bool = False
    error: str = ""
    paused: bool = False


def _filename(url: str) -> str:
    return (posixpath.basename(urlsplit(url).path) or "feed-file")[:255]


def _known(feed: Feed, sha256: str) -> Submission | None:
    return (
        Submission.objects.filter(feed=feed, sha256=sha256, kind=Submission.Kind.DATA)
        .exclude(status=Submission.Status.WITHDRAWN)
        .first()
    )


def _file(feed: Feed, *, url: str, download: fetching.Download, day: dt.date | None, result: RunResult) -> None:
    """File new content as a submission (unless the feed already filed these bytes) and record the fetch."""
    assert download.content is not None
    with transaction.atomic():
        locked = Feed.objects.select_for_update().select_related("source").get(pk=feed.pk)
        same_as_last = not locked.has_date_pattern and locked.last_sha256 == download.sha256
        new = not same_as_last and _known(locked, download.sha256) is None
        if not new:
            result.unchanged += 1
        else:
            submission = create_upload(
                submitter=feeds.feed_account(),
                source=locked.source,
                uploaded=ContentFile(download.content, name=_filename(url)),
                comment=f"Fetched by the feed “{locked}” from {url}",
                feed=locked,
            )
            result.created.append(submission.pk)
        feeds.record_success(
            feed_id=locked.pk,
            sha256=download.sha256,
            etag=download.etag,
            last_modified=download.last_modified,
            day=day,
            reset=not new,
        )


def fetch_url(feed: Feed, *, url: str, day: dt.date | None, today: dt.date, result: RunResult) -> bool:
    """Fetch one URL of the feed; False when the run should stop (a failure, or today's file not out yet)."""
    conditional = not feed.has_date_pattern  # each day's file is a new URL: nothing to be conditional about
    download = fetching.download(
        url,
        etag=feed.etag if conditional else "",
        last_modified=feed.last_modified if conditional else "",
        max_bytes=settings.FEED_MAX_BYTES,
        timeout=settings.FEED_TIMEOUT_SECONDS,
    )
    if not download.ok:
        if download.status == 404 and day is not None and day >= today:
            # Today's file is not out yet: not a failure, the next run asks again.
            Feed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
            result.not_yet_published = True
            return False
        result.error = download.error or f"HTTP {download.status}"
        result.paused = feeds.record_failure(feed_id=feed.pk, error=f"{url}: {result.error}")
        return False
    if download.not_modified:
        result.unchanged += 1
        feeds.record_success(feed_id=feed.pk, etag=download.etag, last_modified=download.last_modified, day=day)
        return True
    _file(feed, url=url, download=download, day=day, result=result)
    return True


def run_feed(*, feed_id: int, today: dt.date | None = None, force: bool = False) -> RunResult:
    """One scheduled run (`force`: even when not due); nothing for a paused, proposed or missing feed."""
    result = RunResult()
    feed = Feed.objects.select_related("source").filter(pk=feed_id).first()
    if feed is None or not feed.is_running or feed.source.status != Source.Status.APPROVED:
        return result
    if not force and not feeds.is_due(feed):
        return result
    today = today or timezone.localdate()
    if not feed.has_date_pattern:
        fetch_url(feed, url=feed.url, day=None, today=today, result=result)
        return result
    for day in feeds.days_to_fetch(feed, today):
        if not fetch_url(feed, url=feed.url_for(day), day=day, today=today, result=result):
            break
        feed.refresh_from_db()
    return result


class BackfillRefused(ValueError):
    """The feed cannot be backfilled as asked (no date pattern, bad range)."""


def combine_csv(files: list[bytes]) -> bytes | None:
    """Daily CSV files with the same header line as one file (the header once); None when their
    headers differ (or one is not text), so they cannot simply be put one after the other."""
    headers, bodies = set(), []
    for content in files:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        header, _, body = text.partition("\n")
        headers.add(header.rstrip("\r"))
        bodies.append(body if body.endswith("\n") or not body else body + "\n")
    if len(headers) != 1:
        return None
    return (headers.pop() + "\n" + "".join(bodies)).encode("utf-8")


def backfill(*, feed_id: int, first: dt.date, last: dt.date, combined: bool = False) -> RunResult:
    """Fetch every day from `first` to `last` once, each file a submission (files already filed are
    skipped), or with `combined` one submission of all the new files when they share their header
    (otherwise each its own); a missing day is counted as an error and the others go on. The feed's
    last day and failure count are left as they were: a backfill is not its schedule."""
    feed = Feed.objects.select_related("source").get(pk=feed_id)
    if not feed.has_date_pattern:
        raise BackfillRefused("Only a feed with a date pattern in its URL can be backfilled.")
    if last < first:
        raise BackfillRefused("The last day comes before the first.")
    days = (last - first).days + 1
    if days > settings.FEED_BACKFILL_MAX_DAYS:
        raise BackfillRefused(f"At most {settings.FEED_BACKFILL_MAX_DAYS} days at a time.")
    result = RunResult()
    errors = []
    fetched: list[tuple[str, fetching.Download]] = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        url = feed.url_for(day)
        download = fetching.download(url, max_bytes=settings.FEED_MAX_BYTES, timeout=settings.FEED_TIMEOUT_SECONDS)
        if not download.ok or download.content is None:
            errors.append(f"{day}: {download.error or download.status}")
            continue
        if _known(feed, download.sha256) is not None:
            result.unchanged += 1
            continue
        fetched.append((url, download))
    together = combine_csv([d.content or b"" for _, d in fetched]) if combined and len(fetched) > 1 else None
    if together is not None:
        name = f"{_filename(fetched[0][0]).rsplit('.', 1)[0]}-to-{_filename(fetched[-1][0])}"
        _file_backfill(
            feed,
            content=together,
            name=name,
            comment=f"Backfilled by the feed “{feed}”: {len(fetched)} days",
            result=result,
        )
    else:
        for url, download in fetched:
            comment = f"Backfilled by the feed “{feed}” from {url}"
            _file_backfill(feed, content=download.content or b"", name=_filename(url), comment=comment, result=result)
    result.error = "; ".join(errors)[:1000]
    return result


def _file_backfill(feed: Feed, *, content: bytes, name: str, comment: str, result: RunResult) -> None:
    with transaction.atomic():
        Feed.objects.select_for_update().filter(pk=feed.pk).first()
        if _known(feed, hashlib.sha256(content).hexdigest()) is not None:  # another run filed it meanwhile
            result.unchanged += 1
            return
        submission = create_upload(
            submitter=feeds.feed_account(),
            source=feed.source,
            uploaded=ContentFile(content, name=name[:255]),
            comment=comment,
            feed=feed,
        )
        result.created.append(submission.pk)
