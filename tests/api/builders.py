"""Small builders for API tests: sources, and releases that add or change values the way a merge does.

They write Observation / ObservationHistory rows directly (a few rows, so plain ORM calls), keeping
the invariants the merge keeps: a changed value gets one history row pointing at the release that
had set the old value.
"""
from datetime import date

from django.utils import timezone

from dataset.models import Location, Metric, Observation, ObservationHistory, Release
from sources.models import Source


def make_source(name="Ministry of Health", country="IT", *, status=Source.Status.APPROVED) -> Source:
    return Source.objects.create(
        name=name, institution=name, institution_type=Source.InstitutionType.MINISTRY,
        country=Location.objects.get(key=country) if country else None,
        url=f"https://{name.lower().replace(' ', '-')}.example.org/data.csv", status=status,
    )


def publish(values: dict, *, source: Source, created_at=None) -> Release:
    """Make the next release with `values` {(location_key, metric_code, "YYYY-MM-DD"): value}."""
    release = Release.objects.create(number=Release.next_number(), description="test release")
    if created_at is not None:
        Release.objects.filter(pk=release.pk).update(created_at=created_at)
        release.refresh_from_db()
    added = changed = 0
    for (key, code, day), value in values.items():
        location = Location.objects.get(key=key)
        metric = Metric.objects.get(code=code)
        when = date.fromisoformat(day)
        current = Observation.objects.filter(location=location, metric=metric, date=when).first()
        if current is None:
            Observation.objects.create(location=location, metric=metric, date=when, value=value, source=source,
                                       release=release)
            added += 1
        elif current.value != value:
            ObservationHistory.objects.create(
                location=location, metric=metric, date=when, old_value=current.value, new_value=value,
                old_source=current.source, new_source=source, old_release=current.release, release=release)
            current.value, current.source, current.release = value, source, release
            current.save()
            changed += 1
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
