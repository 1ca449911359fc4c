"""A country's to-do list for its volunteers and reviewers: what has no source, what went stale,
which feeds are paused, what waits for this person, which fetched files need a mapping."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import Submission
from dataset.models import Observation
from places.models import Location, Metric
from sources.models import Feed, Source

from . import selectors

# An approved daily or weekly source with no upload for this long is stale.
STALE_AFTER_DAYS = {Source.Cadence.DAILY: 7, Source.Cadence.WEEKLY: 21}
WAITING_FOR_SUBMITTER = (
    Submission.Status.CHANGES_REQUESTED,
    Submission.Status.INVALID,
    Submission.Status.NEEDS_MAPPING,
)


@dataclass
class StaleSource:
    source: Source
    why: str


@dataclass
class CountryTodo:
    country: Location
    metrics_without_source: list[Metric] = field(default_factory=list)
    subdivisions_without_data: list[Location] = field(default_factory=list)
    stale_sources: list[StaleSource] = field(default_factory=list)
    paused_feeds: list[Feed] = field(default_factory=list)
    waiting_for_you: list[Submission] = field(default_factory=list)
    needs_mapping: list[Submission] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.metrics_without_source,
                self.subdivisions_without_data,
                self.stale_sources,
                self.paused_feeds,
                self.waiting_for_you,
                self.needs_mapping,
            )
        )


def _stale(sources: QuerySet[Source]) -> list[StaleSource]:
    now = timezone.now()
    last_upload = {
        row["pk"]: row["last"]
        for row in sources.annotate(last=Max("submissions__created_at", filter=Q(submissions__kind="data"))).values(
            "pk", "last"
        )
    }
    stale = []
    for source in sources:
        if source.is_failing:
            failures = source.consecutive_check_failures
            stale.append(StaleSource(source, _("its page failed the last %(count)s checks") % {"count": failures}))
            continue
        days = STALE_AFTER_DAYS.get(Source.Cadence(source.cadence))
        last = last_upload.get(source.pk)
        if days and (last is None or last < now - timedelta(days=days)):
            cadence = source.get_cadence_display().lower()
            if last:
                why = _("no file since %(date)s, although it publishes %(cadence)s") % {
                    "date": f"{last:%d %b %Y}",
                    "cadence": cadence,
                }
            else:
                why = _("no file ever, although it publishes %(cadence)s") % {"cadence": cadence}
            stale.append(StaleSource(source, why))
    return stale


def todo_for(*, user: Any, country: Location) -> CountryTodo:
    todo = CountryTodo(country=country)
    sources = Source.objects.filter(country=country, status=Source.Status.APPROVED)
    covered = Metric.objects.filter(sources__in=sources)
    todo.metrics_without_source = list(Metric.objects.exclude(pk__in=covered).order_by("code"))
    regions = Location.objects.filter(parent=country, level=Location.Level.REGION)
    with_data = Observation.objects.filter(location__in=regions).values("location_id").distinct()
    with_source = sources.exclude(subregion=None).values("subregion_id")
    todo.subdivisions_without_data = list(
        regions.exclude(pk__in=with_data).exclude(pk__in=with_source).order_by("name")[:100]
    )
    todo.stale_sources = _stale(sources)
    todo.paused_feeds = list(Feed.objects.filter(source__country=country, paused=True).select_related("source"))
    touching = Submission.objects.touching([country])
    waiting = Submission.objects.filter(submitter=user, status__in=WAITING_FOR_SUBMITTER).filter(
        pk__in=touching.values("pk")
    )
    mine = Q(pk__in=waiting.values("pk"))
    if getattr(user, "is_reviewer", False):
        mine |= Q(pk__in=selectors.queue_for(user, country=country.key).values("pk"))
    todo.waiting_for_you = list(Submission.objects.filter(mine).select_related("source").order_by("created_at")[:50])
    todo.needs_mapping = list(
        Submission.objects.filter(feed__isnull=False, status=Submission.Status.NEEDS_MAPPING, source__country=country)
        .select_related("source", "feed")
        .order_by("created_at")[:50]
    )
    return todo
