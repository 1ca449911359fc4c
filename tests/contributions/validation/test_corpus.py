"""Every broken or hostile file ends invalid with its own problem code and message, and nothing escapes."""

import datetime as dt

import pytest

from contributions.parsing import parse_file
from contributions.validation import validate
from dataset.models import Observation

from ..corpus import CASES

TODAY = dt.date(2023, 3, 10)


def run(case, tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(case.make())
    parsed = parse_file(path, filename=case.name, mapping=case.mapping)
    return validate(parsed, mapping=case.mapping, default_country=case.default_country, today=TODAY)


def test_the_corpus_has_at_least_forty_files():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_is_invalid_with_its_message(case, tmp_path, reference_data):
    result = run(case, tmp_path)

    assert not result.is_valid
    assert result.frame.empty
    matching = [p for p in result.report["problems"] if p["code"] == case.code]
    assert matching, f"expected {case.code}, got {result.report['counts']}"
    assert any(case.message.lower() in p["message"].lower() for p in matching), [p["message"] for p in matching]
    assert case.code in result.report["counts"]
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_report_is_json_serialisable(case, tmp_path, reference_data):
    import json

    result = run(case, tmp_path)

    json.dumps(result.report)
    assert set(result.problems.columns) == {"row", "sheet", "severity", "code", "column", "value", "message"} | {
        "msgid",  # the message in any language (contributions.texts)
        "params",
    }
