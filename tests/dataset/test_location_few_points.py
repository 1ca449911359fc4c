"""A place with a few reported dates: its values as a table, not as empty chart panels."""

import pytest
from django.urls import reverse

from tests.dataset.page_data import add_series, make_release, make_source

pytestmark = pytest.mark.django_db


def test_a_series_of_a_few_dates_is_a_table_not_charts(client, reference_data):
    source, release = make_source(), make_release(1)
    add_series("SM", "confirmed", [1], source=source, release=release)
    add_series("SM", "deaths", [0, 0, 1], source=source, release=release)
    add_series("IT", "confirmed", list(range(30)), source=source, release=release)
    html = client.get(reverse("dataset:location", args=["SM"])).content.decode()
    assert 'class="chart"' not in html
    assert "1 reported date so far: the table below lists it." in html
    assert "3 reported dates so far: the table below lists them." in html
    assert html.count('<details class="chart-table" open>') == 2
    italy = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    assert italy.count('class="chart"') == 2  # a long series keeps its two charts
    assert 'href="/data/explorer/?places=IT&amp;metric=confirmed"' in italy
