"""The tidy CSV reads back equal to the database, in a stable order, with its gzip copy."""

import gzip

import pandas as pd
from django.core.management import call_command

from dataset.exports.schema import TIDY_HEADER, TIDY_NAME

from .tables import database_frame


def test_tidy_csv_reads_back_equal_to_the_database_in_stable_order(early_import, tmp_path):
    call_command("export_dataset", "--format", "tidy", "--output", str(tmp_path))
    text = pd.read_csv(tmp_path / TIDY_NAME, dtype=str, keep_default_na=False)
    assert list(text.columns) == TIDY_HEADER
    expected = database_frame()
    assert text.drop(columns="value").equals(expected.drop(columns="value").astype(str))
    assert (text["value"].astype(float).to_numpy() == expected["value"].to_numpy()).all()
    assert not text["value"].str.endswith(".0").any()
    with gzip.open(tmp_path / (TIDY_NAME + ".gz"), "rt", encoding="utf-8") as handle:
        assert handle.read() == (tmp_path / TIDY_NAME).read_text(encoding="utf-8")
