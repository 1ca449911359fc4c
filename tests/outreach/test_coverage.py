"""Coverage statuses per country, as the coverage page shows them, with its counts, filters and flags."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.services import coverage
from places.models import Location
from sources.models import Source
from tests.dataset.factories import ObservationFactory, ReleaseFactory
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db
S = coverage.Status
JHU_LAST_DAY = date(2023, 3, 9)


def _source(country_key, status=Source.Status.APPROVED, name=None, failures=0, cadence=Source.Cadence.DAILY):
    return SourceFactory(
        name=name or f"Source {country_key}",
        country_key=country_key,
        status=status,
        cadence=cadence,
        institution_type="ministry" if country_key else "aggregator",
        consecutive_check_failures=failures,
    )


def _observe(location, day, source, *, changed_days_ago=0):
    """A value merged in a release made `changed_days_ago` days ago."""
    release = ReleaseFactory(created_at=timezone.now() - timedelta(days=changed_days_ago))
    ObservationFactory(location=location, metric_code="confirmed", date=day, value=1, source=source, release=release)


def _by_key(rows):
    return {row.key: row for row in rows}


def _page(client, **params):
    return client.get(reverse("outreach:coverage"), params).content.decode()


def _shown(html):
    """What a visitor sees: each country's status in the table, and the counts at the top."""
    statuses = dict(re.findall(r'<tr id="cov-([A-Z0-9_]+)" data-status="(\w+)"', html))
    counts = {status: int(n) for status, n in re.findall(r'class="stat-value" data-status="(\w+)">(\d+)<', html)}
    return statuses, counts


def _assert_counts_match_table(html):
    statuses, counts = _shown(html)
    assert counts == {st.value: list(statuses.values()).count(st.value) for st in S}
    return statuses, counts


# --- one small fixture per status, checked on the page ----------------------------------------------


def test_with_no_volunteers_every_country_needs_a_first_volunteer(client, reference_data):
    countries = Location.objects.filter(level=Location.Level.COUNTRY).count()
    html = _page(client)
    statuses, counts = _assert_counts_match_table(html)
    assert len(statuses) == countries >= 249
    assert counts[S.NO_VOLUNTEER] == countries
    assert sum(counts.values()) == countries
    assert f"All {countries} countries and territories need a first volunteer" in html
    assert f"{countries} countries and territories: {countries} need help" in html


def test_historical_data_without_a_volunteer_still_needs_a_volunteer(client, reference_data):
    jhu = _source(None, name="JHU", cadence=Source.Cadence.FINAL)  # international, ended
    _observe(Location.objects.get(key="IT"), JHU_LAST_DAY, jhu, changed_days_ago=900)
    html = _page(client)
    statuses, counts = _assert_counts_match_table(html)
    assert statuses["IT"] == S.NO_VOLUNTEER
    assert counts[S.STALE] == 0
    row = html[html.index('id="cov-IT"') :]
    assert "needs help" in row[: row.index("</tr>")]
    assert "2023-03-09" in row[: row.index("</tr>")]


def test_a_volunteer_without_an_approved_official_source_needs_a_source(client, make_user):
    make_user("it@example.org", countries=("IT",))
    _source("IT", status=Source.Status.PROPOSED)  # a proposal is not an approved source
    _source(None, name="International")  # an international source is not the country's own
    statuses, counts = _assert_counts_match_table(_page(client))
    assert statuses["IT"] == S.NO_SOURCE
    assert counts[S.NO_SOURCE] == 1


def test_an_approved_source_without_merged_values_needs_data(client, make_user):
    make_user("es@example.org", countries=("FR", "ES"))
    _source("ES")
    _observe(Location.objects.get(key="ES"), JHU_LAST_DAY, _source(None, name="JHU"))  # not its own source
    statuses, counts = _assert_counts_match_table(_page(client))
    assert statuses["ES"] == S.NO_DATA
    assert statuses["FR"] == S.NO_SOURCE
    assert counts[S.NO_DATA] == 1


def test_recent_dates_within_the_cadence_are_flowing(client, make_user):
    today = timezone.now().date()
    make_user("de@example.org", countries=("DE",))
    region = Location.objects.filter(parent__key="DE").first()  # a region's data counts for its country
    _observe(region, today - timedelta(days=2), _source("DE", cadence=Source.Cadence.DAILY))
    make_user("at@example.org", countries=("AT",))
    _observe(Location.objects.get(key="AT"), today - timedelta(days=20), _source("AT", cadence=Source.Cadence.WEEKLY))
    statuses, counts = _assert_counts_match_table(_page(client))
    assert statuses["DE"] == statuses["AT"] == S.FLOWING
    assert counts[S.FLOWING] == 2


def test_old_dates_from_a_source_still_published_are_overdue_even_if_merged_today(client, make_user):
    today = timezone.now().date()
    make_user("nl@example.org", countries=("NL", "BE"))
    _observe(Location.objects.get(key="NL"), today - timedelta(days=8), _source("NL", cadence=Source.Cadence.DAILY))
    _observe(Location.objects.get(key="BE"), JHU_LAST_DAY, _source("BE", cadence=Source.Cadence.WEEKLY))
    html = _page(client)
    statuses, counts = _assert_counts_match_table(html)
    assert statuses["NL"] == statuses["BE"] == S.STALE
    assert counts[S.STALE] == 2
    row = html[html.index('id="cov-NL"') :]
    assert "needs help" in row[: row.index("</tr>")]


def test_a_series_that_ended_is_complete_and_needs_no_help(client, make_user):
    make_user("cn@example.org", countries=("CN",))
    _observe(
        Location.objects.get(key="CN"), JHU_LAST_DAY, _source("CN", cadence=Source.Cadence.FINAL), changed_days_ago=900
    )
    html = _page(client)
    statuses, counts = _assert_counts_match_table(html)
    assert statuses["CN"] == S.COMPLETE
    assert counts[S.COMPLETE] == 1
    row = html[html.index('id="cov-CN"') :]
    assert "needs help" not in row[: row.index("</tr>")]


# --- what counts, and the page around the statuses --------------------------------------------------


def test_only_active_volunteers_who_finished_signing_up_count(client, make_user):
    unfinished = make_user("it@example.org", countries=("IT",))
    unfinished.profile.completed_at = None
    unfinished.profile.save()
    inactive = make_user("fr@example.org", countries=("FR",))
    inactive.is_active = False
    inactive.save()
    make_user("de@example.org", countries=("DE",))
    rows = _by_key(coverage.compute())
    assert (rows["IT"].volunteers, rows["FR"].volunteers, rows["DE"].volunteers) == (0, 0, 1)
    assert rows["IT"].status == rows["FR"].status == S.NO_VOLUNTEER
    assert rows["DE"].status == S.NO_SOURCE


def test_the_counts_of_a_region_are_those_of_its_table(client, make_user):
    make_user("it@example.org", countries=("IT", "JP"))
    html = _page(client, region="Europe")
    statuses, counts = _assert_counts_match_table(html)
    assert "JP" not in statuses
    assert statuses["IT"] == S.NO_SOURCE
    assert counts[S.NO_SOURCE] == 1
    assert f"{len(statuses)} countries and territories in Europe: {len(statuses)} need help" in html


def test_the_page_explains_every_status_and_colours_those_needing_help(client, reference_data):
    html = _page(client)
    section = html[html.index('id="status-definitions"') :]
    assert "What the statuses mean" in section
    for status in S:
        assert f'class="cov-{status.value}"><span class="cov-swatch"></span> {status.label}' in section
    legend = html[html.index('aria-label="Legend"') :]
    assert all(f"cov-swatch cov-{status.value}" in legend for status in S)
    assert 'class="cov-no_volunteer cov-needs-help"' in html


def test_every_country_and_territory_is_listed(reference_data):
    rows = coverage.compute()
    assert len(rows) == Location.objects.filter(level=Location.Level.COUNTRY).count() >= 249
    assert all(row.region != "Other" for row in rows if len(row.key) == 2)


def test_a_volunteer_listing_a_country_twice_counts_once(make_user):
    user = make_user("it@example.org", countries=("IT",))
    user.profile.other_countries.add(Location.objects.get(key="IT"))
    assert _by_key(coverage.compute())["IT"].volunteers == 1


def test_coverage_is_computed_in_a_few_queries(make_user, django_assert_max_num_queries):
    for i, key in enumerate(["IT", "FR", "DE", "ES", "PT"]):
        make_user(f"v{i}@example.org", countries=(key, "BE"))
        _source(key)
    with django_assert_max_num_queries(6):
        coverage.compute()


def test_coverage_page_filters_by_region_and_sorts(client, make_user):
    make_user("it@example.org", countries=("IT",))
    page = client.get(reverse("outreach:coverage"), {"region": "Europe", "sort": "volunteers", "dir": "desc"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="cov-IT"' in html
    assert 'id="cov-FR"' in html
    assert 'id="cov-JP"' not in html
    assert html.index('id="cov-IT"') < html.index('id="cov-FR"')  # most volunteers first
    by_status = client.get(reverse("outreach:coverage"), {"status": "no_source"}).content.decode()
    assert 'id="cov-IT"' in by_status
    assert 'id="cov-FR"' not in by_status


def test_coverage_page_calls_for_help_and_flags_failing_sources(client, reference_data):
    _source("IT", name="Dead feed", failures=3)
    _source("IT", name="Good feed")
    html = client.get(reverse("outreach:coverage")).content.decode()
    assert 'id="needs-help"' in html
    assert "a first volunteer" in html
    assert reverse("account_signup") in html
    assert "Dead feed" in html
    assert "1 failing" in html
    assert "Good feed" not in html
    assert 'id="coverage-data"' in html
    assert "world-atlas-2.0.2/countries-110m.json" in html


def test_directory_lists_only_public_volunteers_and_filters_by_skill(client, make_user):
    listed = make_user("listed@example.org", countries=("IT",))
    listed.profile.display_name, listed.profile.public_listing = "Giulia R.", True
    listed.profile.skills, listed.profile.organisation = ["data_analysis"], "Università di Pisa"
    listed.profile.save()
    hidden = make_user("hidden@example.org", countries=("IT",))
    hidden.profile.display_name, hidden.profile.skills = "Hidden Person", ["data_analysis"]
    hidden.profile.save()
    html = client.get(reverse("outreach:directory")).content.decode()
    assert "Giulia R." in html
    assert "Università di Pisa" in html
    assert "Hidden Person" not in html
    assert "listed@example.org" not in html
    assert "Giulia R." in client.get(reverse("outreach:directory"), {"skill": "data_analysis"}).content.decode()
    assert "Giulia R." not in client.get(reverse("outreach:directory"), {"skill": "software"}).content.decode()
    assert "Giulia R." not in client.get(reverse("outreach:directory"), {"country": "FR"}).content.decode()


def test_how_to_help_links_each_role_to_the_directory(client, reference_data):
    html = client.get(reverse("how_to_help")).content.decode()
    assert f"{reverse('outreach:directory')}?skill=software" in html
