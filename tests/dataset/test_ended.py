"""Series no longer reported: the JHU import marks where JHU zeroed recoveries, and pages, cards,
charts and the API end the series there instead of showing the zeros."""

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from django.urls import reverse

from dataset import ended
from dataset.models import Erratum
from places.models import Location, Metric
from tests.dataset.page_data import START, add_series, make_release, make_source

from .jhu_data import import_jhu, write_csv

pytestmark = pytest.mark.django_db

RECOVERED = [0, 5, 40, 90, 120, 0, 0, 0, 0, 0, 0, 0, 0]  # JHU's way: zeros once it stopped counting
END = START + timedelta(days=5)


def frame(values_by_location: dict) -> pd.DataFrame:
    rows = [
        (loc, pd.Timestamp(START + timedelta(days=i)), v)
        for loc, values in values_by_location.items()
        for i, v in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=["location_id", "date", "value"])


def test_zeroed_tails_finds_where_the_zeros_start_and_only_long_ones():
    starts = ended.zeroed_tails(
        frame(
            {
                1: RECOVERED,
                2: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                3: [0] * 10,
                4: [1, 2, 3, 0, 0],
                5: [1, 2, 0, 0, 3] + [0] * 7,
            }
        )
    )
    assert starts == {1: END, 5: START + timedelta(days=5)}


def _recovered_file(tmp_path, italy_values):
    days = [START + timedelta(days=i) for i in range(len(italy_values))]
    header = "Province/State,Country/Region,Lat,Long," + ",".join(f"{d.month}/{d.day}/{d:%y}" for d in days)
    lines = [header, ",Italy,41.87194,12.56738," + ",".join(map(str, italy_values))]
    lines.append(",France,46.2276,2.2137," + ",".join(str(i) for i in range(len(italy_values))))
    return write_csv(tmp_path / "time_series_covid19_recovered_global.csv", lines)


def test_the_jhu_import_marks_a_zeroed_recovered_series_as_ended_once(reference_data, tmp_path):
    path = _recovered_file(tmp_path, RECOVERED)
    out = import_jhu(path)
    assert "1 series marked no longer reported" in out
    mark = Erratum.objects.get()
    assert (mark.location.key, mark.metric.code, mark.kind, mark.start) == (
        "IT",
        "recovered",
        "no_longer_reported",
        END,
    )
    assert "JHU" in mark.what_is_wrong
    import_jhu(path)
    assert Erratum.objects.count() == 1  # a second import adds no second mark


def _ended_italy():
    source = make_source()
    release = make_release(1)
    add_series("IT", "recovered", RECOVERED, source=source, release=release)
    add_series("IT", "confirmed", list(range(100, 100 + len(RECOVERED))), source=source, release=release)
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="recovered"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=END,
    )


def test_the_location_page_shows_the_last_reported_value_and_when_it_ended(client, reference_data):
    _ended_italy()
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    latest = html.split('data-testid="latest-recovered">', 1)[1].split("<", 1)[0]
    assert latest == "120"
    assert "No longer reported since" in html.split('data-testid="ended-recovered"', 1)[1][:200]
    assert 'datetime="2020-02-29"' in html.split('data-testid="ended-recovered"', 1)[1][:200]
    charts = json.loads(html.split('id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    recovered = next(s for s in charts["series"] if s["code"] == "recovered")
    assert recovered["values"] == [0, 5, 40, 90, 120]
    assert min(d for d in recovered["daily"] if d is not None) >= 0  # no false drop to zero
    assert recovered["ended"] == END.isoformat()
    confirmed = next(s for s in charts["series"] if s["code"] == "confirmed")
    assert len(confirmed["values"]) == len(RECOVERED)  # other series go on


def test_the_countries_index_shows_the_last_reported_value(client, reference_data):
    _ended_italy()
    html = client.get(reverse("dataset:countries")).content.decode()
    row = html.split('<tr data-key="IT">', 1)[1].split("</tr>", 1)[0]
    assert row.split('data-metric="recovered">', 1)[1].split("</td>", 1)[0].strip() == "120"


def test_the_api_leaves_out_the_values_after_the_end(client, reference_data):
    _ended_italy()
    url = reverse("observation-list")
    body = client.get(url, {"location": "IT", "metric": "recovered"}).json()
    assert [row["date"] for row in body["results"]][-1] == "2020-02-28"
    assert len(body["results"]) == 5
    response = client.get(url, {"location": "IT", "format": "csv"})
    csv = b"".join(response.streaming_content).decode().splitlines()
    assert sum(",recovered," in line for line in csv) == 5
    assert sum(",confirmed," in line for line in csv) == len(RECOVERED)


def test_a_new_mark_shows_without_a_new_release(client, reference_data):
    source = make_source()
    add_series("IT", "recovered", RECOVERED, source=source, release=make_release(1))
    url = reverse("dataset:location", args=["IT"])
    assert 'data-testid="latest-recovered">0<' in client.get(url).content.decode()
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="recovered"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=date(2020, 2, 29),
    )
    assert 'data-testid="latest-recovered">120<' in client.get(url).content.decode()
