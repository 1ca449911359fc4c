"""Coverage statuses per country, computed in a few queries, and the coverage page's filters and flags."""
from datetime import date, timedelta

import pytest
from django.urls import reverse

from dataset.models import Location, Metric, Observation, Release
from outreach.services import coverage
from sources.models import Source

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


def _source(country_key, status=Source.Status.APPROVED, name=None, failures=0):
    return Source.objects.create(
        name=name or f"Source {country_key}", institution="Ministry", institution_type="ministry",
        country=Location.objects.get(key=country_key),
        url=f"https://{country_key.lower()}.example.org/{name or 'x'}.csv",
        status=status, consecutive_check_failures=failures,
    )


def _observe(location, day, source):
    release = Release.objects.create(number=Release.next_number(), description="test")
    Observation.objects.create(location=location, metric=Metric.objects.get(code="confirmed"), date=day,
                               value=1, source=source, release=release)


def _by_key(rows):
    return {row.key: row for row in rows}


def test_each_status_is_computed_from_volunteers_sources_and_data(make_user):
    make_user("it@example.org", countries=("IT",))  # volunteer only
    make_user("fr@example.org", countries=("FR", "ES"))  # volunteer of FR and ES
    _source("ES")  # ES: volunteer and source, no data
    _source("PT")  # PT: source, no volunteer, no data
    _source("BE", status=Source.Status.PROPOSED)  # a proposal is not an approved source
    de_source = _source("DE")
    region = Location.objects.filter(parent__key="DE").first()
    _observe(region, TODAY - timedelta(days=14), de_source)  # a region's data counts for its country; 14 days: fresh
    nl_source = _source("NL")
    _observe(Location.objects.get(key="NL"), TODAY - timedelta(days=15), nl_source)
    _observe(Location.objects.get(key="NL"), TODAY - timedelta(days=40), nl_source)

    rows = _by_key(coverage.compute(today=TODAY))
    S = coverage.Status
    assert rows["JP"].status == S.NO_VOLUNTEER and rows["JP"].volunteers == 0
    assert rows["BE"].status == S.NO_VOLUNTEER and rows["BE"].sources == 0
    assert rows["IT"].status == S.NO_SOURCE and rows["IT"].volunteers == 1
    assert rows["ES"].status == S.NO_DATA and (rows["ES"].volunteers, rows["ES"].sources) == (1, 1)
    assert rows["PT"].status == S.NO_DATA
    assert rows["DE"].status == S.FLOWING and rows["DE"].latest_date == TODAY - timedelta(days=14)
    assert rows["NL"].status == S.STALE and rows["NL"].latest_date == TODAY - timedelta(days=15)
    assert rows["FR"].volunteers == 1 and rows["IT"].region == "Europe" and rows["JP"].region == "Asia"


def test_every_country_and_territory_is_listed(reference_data):
    rows = coverage.compute(today=TODAY)
    assert len(rows) == Location.objects.filter(level=Location.Level.COUNTRY).count() >= 249
    assert all(row.region != "Other" for row in rows if len(row.key) == 2)


def test_a_volunteer_listing_a_country_twice_counts_once(make_user):
    user = make_user("it@example.org", countries=("IT",))
    user.profile.other_countries.add(Location.objects.get(key="IT"))
    assert _by_key(coverage.compute(today=TODAY))["IT"].volunteers == 1


def test_coverage_is_computed_in_a_few_queries(make_user, django_assert_max_num_queries):
    for i, key in enumerate(["IT", "FR", "DE", "ES", "PT"]):
        make_user(f"v{i}@example.org", countries=(key, "BE"))
        _source(key)
    with django_assert_max_num_queries(6):
        coverage.compute(today=TODAY)


def test_coverage_page_filters_by_region_and_sorts(client, make_user):
    make_user("it@example.org", countries=("IT",))
    page = client.get(reverse("outreach:coverage"), {"region": "Europe", "sort": "volunteers", "dir": "desc"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="cov-IT"' in html and 'id="cov-FR"' in html and 'id="cov-JP"' not in html
    assert html.index('id="cov-IT"') < html.index('id="cov-FR"')  # most volunteers first
    by_status = client.get(reverse("outreach:coverage"), {"status": "no_source"}).content.decode()
    assert 'id="cov-IT"' in by_status and 'id="cov-FR"' not in by_status


def test_coverage_page_calls_for_help_and_flags_failing_sources(client, reference_data):
    _source("IT", name="Dead feed", failures=3)
    _source("IT", name="Good feed")
    html = client.get(reverse("outreach:coverage")).content.decode()
    assert 'id="needs-help"' in html and "a first volunteer" in html and reverse("account_signup") in html
    assert "Dead feed" in html and "1 failing" in html and "Good feed" not in html
    assert 'id="coverage-data"' in html and "world-atlas-2.0.2/countries-110m.json" in html


def test_directory_lists_only_public_volunteers_and_filters_by_skill(client, make_user):
    listed = make_user("listed@example.org", countries=("IT",))
    listed.profile.display_name, listed.profile.public_listing = "Giulia R.", True
    listed.profile.skills, listed.profile.organisation = ["data_analysis"], "Università di Pisa"
    listed.profile.save()
    hidden = make_user("hidden@example.org", countries=("IT",))
    hidden.profile.display_name, hidden.profile.skills = "Hidden Person", ["data_analysis"]
    hidden.profile.save()
    html = client.get(reverse("outreach:directory")).content.decode()
    assert "Giulia R." in html and "Università di Pisa" in html and "Hidden Person" not in html
    assert "listed@example.org" not in html
    assert "Giulia R." in client.get(reverse("outreach:directory"), {"skill": "data_analysis"}).content.decode()
    assert "Giulia R." not in client.get(reverse("outreach:directory"), {"skill": "software"}).content.decode()
    assert "Giulia R." not in client.get(reverse("outreach:directory"), {"country": "FR"}).content.decode()


def test_how_to_help_links_each_role_to_the_directory(client, reference_data):
    html = client.get(reverse("how_to_help")).content.decode()
    assert f'{reverse("outreach:directory")}?skill=software' in html
