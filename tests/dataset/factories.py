"""Factories for dataset tests: releases and canonical values (Observation rows, as a merge leaves them)."""

from datetime import date, timedelta

import factory

from dataset.models import Observation, Release
from places.models import Metric
from tests.sources.factories import SourceFactory, location


class ReleaseFactory(factory.django.DjangoModelFactory):
    """The next numbered release: ReleaseFactory(description="JHU import", values_added=30, created_at=...)."""

    class Meta:
        model = Release
        skip_postgeneration_save = True

    number = factory.LazyFunction(Release.next_number)
    description = "test release"

    @factory.post_generation
    def created_at(self, create, when, **kwargs):
        """The model stamps created_at on insert whatever it is given, so a chosen time is written after."""
        if create and when is not None:
            Release.objects.filter(pk=self.pk).update(created_at=when)
            self.refresh_from_db(fields=["created_at"])


class ObservationFactory(factory.django.DjangoModelFactory):
    """One canonical value: ObservationFactory(location_key="FR", metric_code="deaths", date=..., value=3).

    The location and metric are looked up in the reference data; source and release are made unless given.
    """

    class Meta:
        model = Observation

    class Params:
        location_key = "IT"
        metric_code = "confirmed"

    location = factory.LazyAttribute(lambda o: location(o.location_key))
    metric = factory.LazyAttribute(lambda o: Metric.objects.get(code=o.metric_code))
    date = factory.Sequence(lambda n: date(2020, 1, 22) + timedelta(days=n))
    value = 1.0
    source = factory.SubFactory(SourceFactory)
    release = factory.SubFactory(ReleaseFactory)
