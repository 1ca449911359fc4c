"""seed_sources registers the six approved sources the first dashboards drew on, once."""

import pytest
from django.core.management import call_command

from sources.models import Source, normalise_url

JHU_URL = "https://github.com/CSSEGISandData/COVID-19"


@pytest.mark.django_db
def test_seed_sources_creates_the_six_approved_sources_once(reference_data):
    call_command("seed_sources")
    first = {s.name: (s.pk, s.url_normalised) for s in Source.objects.all()}
    call_command("seed_sources")

    assert Source.objects.count() == 6
    assert {s.name: (s.pk, s.url_normalised) for s in Source.objects.all()} == first
    assert set(Source.objects.values_list("status", flat=True)) == {Source.Status.APPROVED}


@pytest.mark.django_db
def test_seed_sources_have_countries_types_and_licences(reference_data):
    call_command("seed_sources")
    cdc = Source.objects.get(url_normalised=normalise_url("https://www.cdc.gov/coronavirus/2019-ncov/index.html"))
    assert cdc.country.key == "US"
    assert cdc.institution_type == Source.InstitutionType.PUBLIC_HEALTH
    nhc = Source.objects.get(institution__startswith="National Health Commission")
    assert nhc.country.key == "CN"
    assert nhc.priority > Source.objects.get(name__startswith="ECDC").priority
    who = Source.objects.get(institution="World Health Organization")
    assert who.country is None
    assert who.licence == "CC BY-NC-SA 3.0 IGO"
    assert Source.objects.get(name__startswith="DXY").institution_type == Source.InstitutionType.AGGREGATOR
    assert all(source.metrics.exists() for source in Source.objects.all())


@pytest.mark.django_db
def test_jhu_seed_source_is_the_low_priority_aggregator_the_import_uses(reference_data):
    call_command("seed_sources")
    jhu = Source.objects.get(url_normalised=normalise_url(JHU_URL))
    assert jhu.name == "JHU CSSE COVID-19 Data"
    assert jhu.licence == "CC BY 4.0"
    assert jhu.institution_type == Source.InstitutionType.AGGREGATOR
    assert jhu.priority == min(Source.objects.values_list("priority", flat=True))


@pytest.mark.django_db
def test_seed_keeps_a_source_created_earlier_and_completes_it(reference_data):
    Source.objects.create(
        name="JHU CSSE COVID-19 Data",
        institution="",
        institution_type="aggregator",
        url="https://github.com/CSSEGISandData/COVID-19/",
        priority=5,
    )
    call_command("seed_sources")
    jhu = Source.objects.get(name="JHU CSSE COVID-19 Data")
    assert Source.objects.count() == 6
    assert jhu.priority == 5  # a moderator's or importer's choice is kept
    assert jhu.institution.startswith("Center for Systems Science")
    assert jhu.status == Source.Status.APPROVED
