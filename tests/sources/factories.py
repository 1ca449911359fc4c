"""Small builders for sources tests."""
from itertools import count

from places.models import Location, Metric
from sources.models import Source

_numbers = count(1)


def make_source(*, country="IT", metrics=(), status=Source.Status.APPROVED, **fields) -> Source:
    """An approved national source with a unique URL unless told otherwise."""
    n = next(_numbers)
    defaults = {
        "name": f"Source {n}",
        "institution": f"Institution {n}",
        "institution_type": Source.InstitutionType.MINISTRY,
        "url": f"https://health.example.org/data/{n}",
    }
    defaults.update(fields)
    source = Source.objects.create(
        country=Location.objects.get(key=country) if country else None, status=status, **defaults
    )
    if metrics:
        source.metrics.set(Metric.objects.filter(code__in=metrics))
    return source


def make_registry() -> dict[str, Source]:
    """Six sources the list and a source's page are tested on: three approved (IT, DE, international),
    one retired, one proposed and one rejected."""
    return {
        "it": make_source(name="Italy ministry", country="IT", metrics=["confirmed", "deaths"]),
        "de": make_source(name="RKI", country="DE", institution_type="public_health", metrics=["confirmed"]),
        "who": make_source(name="WHO reports", country=None, institution_type="international", metrics=["deaths"]),
        "old": make_source(name="Retired feed", country="IT", status=Source.Status.RETIRED),
        "proposed": make_source(name="Pending page", country="IT", status=Source.Status.PROPOSED),
        "rejected": make_source(name="Rejected blog", country="IT", status=Source.Status.REJECTED),
    }
