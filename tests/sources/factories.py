"""Factories for sources tests, and the registry the list and a source's page are tested on."""

import factory

from places.models import Location, Metric
from sources.models import Source


def location(key: str | None) -> Location | None:
    """The reference Location with this key (loaded by the `reference_data` fixture), or None."""
    return Location.objects.get(key=key) if key else None


class SourceFactory(factory.django.DjangoModelFactory):
    """An approved national source with a unique name, institution and URL.

    SourceFactory(country_key="DE", metrics=["confirmed"]); country_key=None for an international one.
    Metrics are looked up by code; the priority is the model's default for the institution type.
    """

    class Meta:
        model = Source
        skip_postgeneration_save = True

    class Params:
        country_key = "IT"

    name = factory.Sequence(lambda n: f"Source {n}")
    institution = factory.Sequence(lambda n: f"Institution {n}")
    institution_type = Source.InstitutionType.MINISTRY
    country = factory.LazyAttribute(lambda o: location(o.country_key))
    url = factory.Sequence(lambda n: f"https://health.example.org/data/{n}")
    status = Source.Status.APPROVED

    @factory.post_generation
    def metrics(self, create, codes, **kwargs):
        if create and codes:
            self.metrics.set(Metric.objects.filter(code__in=codes))


def make_source(*, country="IT", metrics=(), status=Source.Status.APPROVED, **fields) -> Source:
    """An approved national source with a unique URL unless told otherwise."""
    return SourceFactory(country_key=country, metrics=metrics, status=status, **fields)


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
