"""The diff tells reviewers what an upload adds, changes and leaves alone, and where a better source wins."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions.diff import compute_diff, higher_priority_count
from contributions.parsing import parse_bytes
from contributions.validation import validate
from dataset.models import Observation
from sources.models import Source
from tests.dataset.factories import ObservationFactory, ReleaseFactory
from tests.sources.factories import SourceFactory


def make_source(name, institution_type):
    return SourceFactory(name=name, institution=name, institution_type=institution_type, country_key=None)


@pytest.fixture
def canonical(reference_data):
    """Italy's confirmed cases for three days from the ministry, deaths for one day from an aggregator."""
    ministry = make_source("Ministero della Salute", Source.InstitutionType.MINISTRY)
    aggregator = make_source("Some Aggregator", Source.InstitutionType.AGGREGATOR)
    release = ReleaseFactory()
    for day, value in [(1, 1694), (2, 2036), (3, 2502)]:
        ObservationFactory(
            location_key="IT",
            metric_code="confirmed",
            date=dt.date(2020, 3, day),
            value=value,
            source=ministry,
            release=release,
        )
    ObservationFactory(
        location_key="IT", metric_code="deaths", date=dt.date(2020, 3, 1), value=29, source=aggregator, release=release
    )
    return {"ministry": ministry, "aggregator": aggregator}


def frame_of(text):
    result = validate(parse_bytes(text.encode()), today=dt.date(2023, 1, 1))
    assert result.is_valid, result.report["problems"]
    return result.frame


UPLOAD = (
    "date,location,confirmed,deaths\n"
    "2020-03-01,IT,1694,34\n"  # confirmed unchanged, deaths changed (aggregator had 29)
    "2020-03-02,IT,2100,52\n"  # confirmed changed, deaths new
    "2020-03-04,IT,3089,107\n"
)  # both new


def test_counts_new_changed_and_unchanged_values(canonical):
    diff = compute_diff(frame_of(UPLOAD), source=canonical["aggregator"])

    assert diff["counts"] == {"total": 6, "new": 3, "changed": 2, "unchanged": 1}
    series = {(s["location"], s["metric"]): s for s in diff["series"]}
    assert series[("IT", "confirmed")] == {
        "location": "IT",
        "metric": "confirmed",
        "new": 1,
        "changed": 1,
        "unchanged": 1,
        "first_date": "2020-03-01",
        "last_date": "2020-03-04",
    }
    assert (series[("IT", "deaths")]["new"], series[("IT", "deaths")]["changed"]) == (2, 1)


def test_lists_the_largest_changes_absolute_and_relative(canonical):
    diff = compute_diff(frame_of(UPLOAD), source=canonical["aggregator"])

    absolute = diff["largest_changes"]["absolute"]
    assert [(c["metric"], c["date"], c["old"], c["new"], c["delta"]) for c in absolute] == [
        ("confirmed", "2020-03-02", 2036, 2100, 64),
        ("deaths", "2020-03-01", 29, 34, 5),
    ]
    relative = diff["largest_changes"]["relative"]
    assert relative[0]["metric"] == "deaths"
    assert relative[0]["relative"] == pytest.approx(5 / 29, abs=1e-6)


def test_equal_changes_are_listed_in_date_order_after_the_larger_ones(canonical, monkeypatch):
    """Ties (a whole series corrected by the same amount) show the same examples on every machine: the
    larger changes first, then the equal ones by place, metric and date."""
    monkeypatch.setattr("contributions.diff.TOP", 2)
    upload = "date,location,confirmed\n2020-03-03,IT,2512\n2020-03-01,IT,1704\n2020-03-02,IT,2046\n"
    diff = compute_diff(frame_of(upload), source=canonical["ministry"])
    assert [c["date"] for c in diff["largest_changes"]["absolute"]] == ["2020-03-01", "2020-03-02"]
    bigger = upload.replace("2020-03-03,IT,2512", "2020-03-03,IT,2600")
    diff = compute_diff(frame_of(bigger), source=canonical["ministry"])
    assert [c["date"] for c in diff["largest_changes"]["absolute"]] == ["2020-03-03", "2020-03-01"]


def test_flags_values_whose_current_source_has_a_higher_priority(canonical):
    diff = compute_diff(frame_of(UPLOAD), source=canonical["aggregator"])

    outranked = diff["higher_priority"]
    assert outranked["count"] == 1  # the ministry's 2036 for 2 March; the aggregator's own 29 is not outranked
    assert outranked["sources"] == [
        {"id": canonical["ministry"].pk, "name": "Ministero della Salute", "priority": 100, "count": 1}
    ]
    assert outranked["examples"][0]["date"] == "2020-03-02"


def test_the_official_source_outranks_nobody(canonical):
    diff = compute_diff(frame_of(UPLOAD), source=canonical["ministry"])

    assert diff["higher_priority"]["count"] == 0


def test_an_upload_identical_to_the_dataset_is_a_warning(canonical):
    diff = compute_diff(
        frame_of("date,location,confirmed\n2020-03-01,IT,1694\n2020-03-02,IT,2036\n"), source=canonical["ministry"]
    )

    assert diff["counts"]["unchanged"] == 2
    assert diff["warnings"][0]["code"] == "identical_to_canonical"
    assert "changes nothing" in diff["warnings"][0]["message"]


def test_reads_the_canonical_values_once_per_release_whatever_the_size(canonical, monkeypatch):
    from dataset import snapshots

    reads = []
    read_all = snapshots._read_all
    monkeypatch.setattr(snapshots, "_read_all", lambda: reads.append(1) or read_all())

    def queries_for(days):
        rows = "".join(
            f"{(dt.date(2020, 3, 1) + dt.timedelta(days=i)).isoformat()},IT,{1000 + i},{i}\n" for i in range(days)
        )
        frame = frame_of("date,location,confirmed,deaths\n" + rows)
        with CaptureQueriesContext(connection) as queries:
            diff = compute_diff(frame, source=canonical["aggregator"])
        assert diff["counts"]["total"] == 2 * days
        return [q["sql"] for q in queries]

    queries_for(9)
    assert len(reads) == 1  # the release's values, read from the database once
    later = queries_for(900)
    assert later == queries_for(9)
    assert len(later) <= 4
    assert not any("dataset_observation" in sql for sql in later)
    assert len(reads) == 1


def test_the_diff_is_json_serialisable(canonical):
    json.dumps(compute_diff(frame_of(UPLOAD), source=canonical["aggregator"]))


def test_an_empty_frame_gives_an_empty_diff(canonical):
    frame = frame_of(UPLOAD).iloc[0:0]

    assert compute_diff(frame, source=canonical["ministry"])["counts"] == {
        "total": 0,
        "new": 0,
        "changed": 0,
        "unchanged": 0,
    }


def test_the_diff_does_not_depend_on_the_order_of_rows(canonical):
    frame = frame_of(UPLOAD)
    shuffled = frame.sample(frac=1, random_state=3)
    assert not shuffled.index.equals(frame.index)

    assert compute_diff(shuffled, source=canonical["aggregator"]) == compute_diff(frame, source=canonical["aggregator"])


def test_the_keys_from_validation_give_the_same_diff(canonical):
    result = validate(parse_bytes(UPLOAD.encode()), today=dt.date(2023, 1, 1))

    with_keys = compute_diff(result.frame, source=canonical["ministry"], keys=result.keys)

    assert with_keys == compute_diff(result.frame, source=canonical["ministry"])
    assert with_keys["counts"]["changed"] >= 1
    assert with_keys["counts"]["new"] >= 1


def test_a_gap_in_a_canonical_series_is_still_found(canonical, reference_data):
    """Values are first looked for at their day's offset from the series' start; a missing day in
    the canonical series moves the later ones, which must still be found."""
    Observation.objects.filter(date=dt.date(2020, 3, 2)).delete()
    ReleaseFactory(description="a day removed")
    frame = frame_of(
        "date,location,confirmed\n2020-03-01,IT,1694\n2020-03-02,IT,2036\n2020-03-03,IT,2502\n2020-03-04,IT,3089\n"
    )

    assert compute_diff(frame, source=canonical["ministry"])["counts"] == {
        "total": 4,
        "new": 2,
        "changed": 0,
        "unchanged": 2,
    }


@pytest.mark.parametrize(
    ("stored", "count"),
    [
        ({}, 0),
        (None, 0),
        ({"higher_priority": {"count": 3, "sources": [], "examples": []}}, 3),  # what compute_diff stores
        # shapes of diffs stored earlier
        ({"higher_priority": 2}, 2),
        ({"higher_priority": {"total": 4}}, 4),
        ({"higher_priority_values": 5}, 5),
        ({"protected": [{"location": "IT"}, {"location": "FR"}]}, 2),
        ({"counts": {"higher_priority": 6}}, 6),
        ({"summary": {"higher_priority": 7}}, 7),
    ],
)
def test_the_higher_priority_count_is_read_from_every_stored_diff_shape(stored, count):
    assert higher_priority_count(stored) == count
