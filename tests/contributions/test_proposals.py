"""Proposing a source: a proposed Source plus a Submission waiting for review, one per normalised URL."""

import pytest
from django.core.exceptions import ValidationError

from contributions import proposals
from contributions.models import Submission
from places.models import Location, Metric
from sources import services
from sources.models import Source
from tests.sources.factories import make_source


def propose(user, **fields):
    values = {
        "proposer": user,
        "name": "Protezione Civile COVID-19",
        "institution": "Dipartimento della Protezione Civile",
        "institution_type": Source.InstitutionType.MINISTRY,
        "url": "https://github.com/pcm-dpc/COVID-19",
        "country": Location.objects.get(key="IT"),
    }
    values.update(fields)
    return proposals.propose_source(**values)


@pytest.mark.django_db
def test_proposal_creates_a_proposed_source_and_a_submission_awaiting_review(make_user):
    user = make_user()
    submission = propose(user, metrics=Metric.objects.filter(code__in=["confirmed", "deaths"]), comment="Official")

    source = submission.source
    assert source.status == Source.Status.PROPOSED
    assert source.proposed_by == user
    assert source.country.key == "IT"
    assert sorted(source.metrics.values_list("code", flat=True)) == ["confirmed", "deaths"]
    assert submission.kind == Submission.Kind.SOURCE
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert submission.submitter == user
    assert submission.country.key == "IT"
    assert submission.comment == "Official"


@pytest.mark.django_db
def test_a_url_registered_in_another_spelling_is_refused(make_user):
    existing = make_source(url="https://www.salute.gov.it/covid/")
    with pytest.raises(services.DuplicateSource) as refused:
        propose(make_user(), url="http://SALUTE.gov.it/covid?utm_source=newsletter#top")
    assert refused.value.existing == existing
    assert Source.objects.count() == 1
    assert not Submission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("institution_type", "expected"),
    [
        (Source.InstitutionType.MINISTRY, 100),
        (Source.InstitutionType.PUBLIC_HEALTH, 100),
        (Source.InstitutionType.STATISTICS, 100),
        (Source.InstitutionType.SUBNATIONAL, 80),
        (Source.InstitutionType.INTERNATIONAL, 50),
        (Source.InstitutionType.AGGREGATOR, 10),
    ],
)
def test_priority_defaults_by_institution_type(make_user, institution_type, expected):
    fields = {"institution_type": institution_type}
    if institution_type == Source.InstitutionType.SUBNATIONAL:
        fields["subregion"] = Location.objects.get(key="IT_25")
    submission = propose(make_user(), **fields)
    assert submission.source.priority == expected


@pytest.mark.django_db
def test_a_national_institution_needs_a_country(make_user):
    with pytest.raises(ValidationError) as refused:
        propose(make_user(), country=None)
    assert "country" in refused.value.message_dict


@pytest.mark.django_db
def test_an_international_source_needs_no_country(make_user):
    submission = propose(make_user(), institution_type=Source.InstitutionType.INTERNATIONAL, country=None)
    assert submission.source.country is None


@pytest.mark.django_db
def test_a_subregion_outside_the_country_is_refused(make_user):
    with pytest.raises(ValidationError) as refused:
        propose(make_user(), institution_type="subnational", subregion=Location.objects.get(key="DE_BY"))
    assert "not in Italy" in refused.value.message_dict["subregion"][0]


@pytest.mark.django_db
def test_proposals_are_limited_per_day(make_user, settings):
    settings.SOURCE_PROPOSALS_PER_DAY = 2
    user = make_user()
    propose(user, url="https://example.org/one")
    propose(user, url="https://example.org/two")
    with pytest.raises(proposals.TooManyProposals):
        propose(user, url="https://example.org/three")
    assert Source.objects.filter(proposed_by=user).count() == 2


@pytest.mark.django_db
def test_reviewers_are_not_limited(make_user, settings):
    settings.SOURCE_PROPOSALS_PER_DAY = 1
    reviewer = make_user("rev@example.org", role="reviewer")
    propose(reviewer, url="https://example.org/one")
    propose(reviewer, url="https://example.org/two")
    assert Source.objects.filter(proposed_by=reviewer).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.org/covid.csv", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("http://example.org/" + "a" * 490, "longer than 500"),
    ],
)
def test_urls_we_cannot_store_or_compare_are_refused(make_user, url, message):
    with pytest.raises(ValidationError) as refused:
        propose(make_user(), url=url)
    assert message in refused.value.message_dict["url"][0]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_url_registered_between_the_check_and_the_insert_is_still_a_duplicate(make_user, monkeypatch):
    existing = make_source(url="https://github.com/pcm-dpc/COVID-19")
    real_find = services.find_duplicate
    calls = []

    def find_too_early(url):
        calls.append(url)
        return None if len(calls) == 1 else real_find(url)

    monkeypatch.setattr(services, "find_duplicate", find_too_early)
    with pytest.raises(services.DuplicateSource) as refused:
        propose(make_user())
    assert refused.value.existing == existing
    assert not Submission.objects.exists()
