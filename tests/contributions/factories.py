"""Factories for contributions tests: submissions as the upload page leaves them."""

import factory

from contributions.models import Submission
from tests.accounts.factories import UserFactory
from tests.sources.factories import SourceFactory, location

DATA_MAPPING = {"date": "data", "location": "denominazione_regione"}  # Italy's regional file, long layout


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A data upload from Italy waiting for review, by a new volunteer for a new approved source.

    SubmissionFactory(submitter=volunteer, source=source, status=Submission.Status.MERGED);
    country_key=None for no country; kind=Submission.Kind.SOURCE for a source proposal (no layout, no mapping).
    """

    class Meta:
        model = Submission

    class Params:
        country_key = "IT"

    kind = Submission.Kind.DATA
    submitter = factory.SubFactory(UserFactory)
    source = factory.SubFactory(SourceFactory)
    country = factory.LazyAttribute(lambda o: location(o.country_key))
    status = Submission.Status.AWAITING_REVIEW
    comment = "Test upload"
    layout = factory.LazyAttribute(lambda o: "long" if o.kind == Submission.Kind.DATA else "")
    mapping = factory.LazyAttribute(lambda o: dict(DATA_MAPPING) if o.kind == Submission.Kind.DATA else {})
