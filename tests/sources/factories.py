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
