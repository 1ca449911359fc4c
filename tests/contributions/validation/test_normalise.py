"""The normalised frame: sorted by observation key, duplicates settled, the same for big and small files."""

import pandas as pd
import pytest

from .builders import codes, run, values


def test_identical_duplicates_are_kept_once_with_a_warning(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1694\n2020-03-01,Italy,1694\n")

    assert result.is_valid
    assert len(result.frame) == 1
    assert "duplicate_row" in codes(result)


@pytest.mark.parametrize(
    "text",
    [
        # out of key order, with an identical duplicate dropped on the way
        "date,location,metric,value\n2020-03-02,IT,deaths,40\n2020-03-01,FR,confirmed,100\n2020-03-01,IT,deaths,34\n"
        "2020-03-01,Italy,deaths,34\n2020-03-01,IT,confirmed,1694\n",
        # already in key order, one row without a value
        "date,location,metric,value\n2020-03-01,FR,confirmed,100\n2020-03-01,IT,confirmed,\n2020-03-02,IT,confirmed,9\n",
    ],
)
def test_the_result_carries_the_observation_keys_of_its_rows(reference_data, text):
    from dataset.keys import observation_keys

    result = run(text)

    assert result.is_valid
    assert result.keys.tolist() == observation_keys(result.frame).tolist()
    assert result.keys.tolist() == sorted(result.keys.tolist())


def test_the_paths_for_big_files_give_the_same_frame_as_those_for_small_ones(reference_data, monkeypatch):
    """Runs of equal texts, side-by-side work and reused buffers start at 100,000 rows: the same
    file above and below that size gives the same values."""
    from common import parallel
    from contributions.validation import encoding

    lines = ["date,location,metric,value"]
    for location in ("IT", "FR", "DE"):
        for metric in ("deaths", "confirmed"):
            for day in range(1, 29):
                lines.append(f"2020-02-{day:02d},{location},{metric},{day * 10 + len(location)}")
    text = "\n".join(lines[:1] + lines[:0:-1]) + "\n"  # reversed: the rows must be sorted
    small_file_paths = run(text)
    monkeypatch.setattr(encoding, "RUNS_FROM_ROWS", 10)
    monkeypatch.setattr(encoding, "RUNS_PROBE", 50)
    monkeypatch.setattr(parallel, "MIN_ROWS", 10)
    big_file_paths = run(text)

    assert small_file_paths.is_valid
    assert big_file_paths.is_valid
    pd.testing.assert_frame_equal(small_file_paths.frame, big_file_paths.frame)
    assert small_file_paths.keys.tolist() == big_file_paths.keys.tolist()
    assert values(big_file_paths)[("IT", "deaths", "2020-02-03")] == 32
    assert len(big_file_paths.frame) == 3 * 2 * 28
