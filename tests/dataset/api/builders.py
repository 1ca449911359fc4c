"""Small builders for API tests: sources, and releases that add or change values the way a merge does
(sources and releases from the factories).

They write Observation / ObservationHistory rows directly (a few rows, so plain ORM calls), keeping
the invariants the merge keeps: a changed value gets one history row pointing at the release that
had set the old value.
"""

from datetime import date

from django.utils import timezone

from dataset.models import Observation, ObservationHistory, Release
from places.models import Location, Metric
from sources.models import Source
from tests.dataset.factories import ReleaseFactory
from tests.sources.factories import SourceFactory


def make_source(name="Ministry of Health", country="IT", *, status=Source.Status.APPROVED) -> Source:
    return SourceFactory(name=name, institution=name, country_key=country, status=status)


def publish(values: dict, *, source: Source, created_at=None) -> Release:
    """Make the next release with `values` {(location_key, metric_code, "YYYY-MM-DD"): value}."""
    release = ReleaseFactory(created_at=created_at)
    locations = dict(Location.objects.filter(key__in={k for k, _, _ in values}).values_list("key", "pk"))
    metrics = dict(Metric.objects.filter(code__in={c for _, c, _ in values}).values_list("code", "pk"))
    existing = {
        (o.location_id, o.metric_id, o.date): o
        for o in Observation.objects.filter(
            location_id__in=locations.values(), metric_id__in=metrics.values()
        ).select_related("source", "release")
    }
    new, changed = [], 0
    for (key, code, day), value in values.items():
        ids = (locations[key], metrics[code], date.fromisoformat(day))
        current = existing.get(ids)
        if current is None:
            new.append(
                Observation(
                    location_id=ids[0], metric_id=ids[1], date=ids[2], value=value, source=source, release=release
                )
            )
        elif current.value != value:
            ObservationHistory.objects.create(
                location_id=ids[0],
                metric_id=ids[1],
                date=ids[2],
                old_value=current.value,
                new_value=value,
                old_source=current.source,
                new_source=source,
                old_release=current.release,
                release=release,
            )
            current.value, current.source, current.release = value, source, release
            current.save()
            changed += 1
    Observation.objects.bulk_create(new, batch_size=2000)
    added = len(new)
    Release.objects.filter(pk=release.pk).update(values_added=added, values_changed=changed)
    release.refresh_from_db()
    return release


def series(key: str, code: str, start: str, values: list) -> dict:
    """{(key, code, day): value} for consecutive days from `start`."""
    first = date.fromisoformat(start).toordinal()
    return {(key, code, date.fromordinal(first + i).isoformat()): v for i, v in enumerate(values)}


def at(day: str):
    """Noon UTC on `day`, for release times."""
    return timezone.datetime.fromisoformat(f"{day}T12:00:00+00:00")
