"""Small builders of canonical data for the data-page tests (on the factories, as a merge would leave them)."""

from datetime import date, timedelta

from dataset.models import Observation, ObservationHistory, Release
from places.models import Location, Metric
from sources.models import Source
from tests.dataset.factories import ReleaseFactory
from tests.sources.factories import SourceFactory

START = date(2020, 2, 24)


def make_source(
    name="JHU CSSE COVID-19 Data",
    *,
    url="https://github.com/CSSEGISandData/COVID-19",
    institution_type=Source.InstitutionType.AGGREGATOR,
    licence="CC BY 4.0",
    country=None,
    **extra,
):
    extra.setdefault("institution", "Johns Hopkins University")
    return SourceFactory(
        name=name, institution_type=institution_type, url=url, licence=licence, country=country, **extra
    )


def make_release(number=None, *, description="Import", changelog="", **counts):
    return ReleaseFactory(
        number=number or Release.next_number(), description=description, changelog=changelog, **counts
    )


def add_series(key, metric_code, values, *, source, release, start=START, submission=None):
    """Observations for consecutive days from `start`; returns the Location."""
    location = Location.objects.get(key=key)
    metric = Metric.objects.get(code=metric_code)
    Observation.objects.bulk_create(
        [
            Observation(
                location=location,
                metric=metric,
                date=start + timedelta(days=i),
                value=value,
                source=source,
                release=release,
                submission=submission,
            )
            for i, value in enumerate(values)
        ]
    )
    return location


def change_value(key, metric_code, day, new_value, *, source, release, submission=None):
    """Replace one value the way a merge does: history row, then the new value."""
    obs = Observation.objects.get(location__key=key, metric__code=metric_code, date=day)
    ObservationHistory.objects.create(
        location=obs.location,
        metric=obs.metric,
        date=day,
        old_value=obs.value,
        new_value=new_value,
        old_source=obs.source,
        new_source=source,
        old_release=obs.release,
        release=release,
        submission=submission,
    )
    obs.value, obs.source, obs.release, obs.submission = new_value, source, release, submission
    obs.save()
    return obs


def italy_and_france():
    """Italy (confirmed, deaths) and France (confirmed) for 10 days, from one source and release."""
    source = make_source()
    release = make_release(1, description="JHU import", values_added=30)
    italy_confirmed = [229, 322, 400, 650, 888, 1128, 1694, 2036, 2502, 3089]
    italy_deaths = [7, 10, 12, 17, 21, 29, 34, 52, 79, 107]
    france_confirmed = [12, 18, 38, 57, 100, 130, 191, 212, 285, 423]
    add_series("IT", "confirmed", italy_confirmed, source=source, release=release)
    add_series("IT", "deaths", italy_deaths, source=source, release=release)
    add_series("FR", "confirmed", france_confirmed, source=source, release=release)
    return source, release
