"""Fixtures of the export tests: JHU's early files imported, names a spreadsheet would run."""

import pytest

from places.models import Location
from tests.dataset.factories import ObservationFactory, ReleaseFactory
from tests.dataset.jhu_data import early_file, import_jhu
from tests.sources.factories import SourceFactory


@pytest.fixture
def early_import(reference_data):
    import_jhu(early_file("confirmed"))


@pytest.fixture
def hostile(reference_data):
    """A location and a source whose names a spreadsheet would run as formulas."""
    source = SourceFactory(name="@SUM(A1:A9)", institution="x", institution_type="other", country_key=None)
    parent = Location.objects.get(key="IT")
    place = Location.objects.create(
        key="IT_FORMULA", name='=HYPERLINK("http://evil")', level="region", parent=parent, country_code="IT"
    )
    country = Location.objects.create(key="XF", name="-2+3", level="country", country_code="", latitude=-11.25)
    release = ReleaseFactory()
    for loc in (place, country):
        ObservationFactory(
            location=loc, metric_code="confirmed", date="2020-03-01", value=-4, source=source, release=release
        )
