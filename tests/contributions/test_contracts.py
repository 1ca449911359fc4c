"""What validation and the diff produce has exactly the keys their typed contracts declare."""

from typing import get_type_hints

from contributions.contracts import (
    MAPPING_KEYS,
    DiffSummary,
    NeedsMapping,
    Problem,
    ValidationReport,
)
from contributions.diff import compute_diff

from .validation.builders import run

LONG = "date,location,metric,value\n2020-03-01,IT,confirmed,1694\n2020-03-01,Atlantis,deaths,-3\n"


def declared(typed_dict) -> tuple[set[str], set[str]]:
    return set(typed_dict.__required_keys__), set(get_type_hints(typed_dict))


def test_a_report_has_the_keys_of_a_validation_report(reference_data):
    report = run(LONG).report

    required, every = declared(ValidationReport)
    assert required <= set(report) <= every
    assert set(report["needs_mapping"]) == declared(NeedsMapping)[1]
    for entry in report["problems"]:
        assert declared(Problem)[0] <= set(entry) <= declared(Problem)[1]


def test_a_diff_has_the_keys_of_a_diff_summary(reference_data):
    diff = compute_diff(run(LONG.replace("Atlantis", "FR")).frame, source=None)

    required, every = declared(DiffSummary)
    assert required <= set(diff) <= every
    assert isinstance(diff["higher_priority"]["count"], int)


def test_the_mapping_keys_are_those_of_the_column_mapping():
    assert {"layout", "date_column", "location_columns", "metrics", "unknown_sublocations"} <= MAPPING_KEYS
    assert len(MAPPING_KEYS) == 23
