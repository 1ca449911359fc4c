"""The Parquet export: typed columns, equal to the database."""

import pandas as pd
from django.core.management import call_command

from dataset.exports.parquet import PARQUET_SCHEMA
from dataset.exports.schema import PARQUET_DICTIONARY, PARQUET_NAME

from .tables import database_frame


def test_parquet_reads_back_typed_and_equal_to_the_database(early_import, tmp_path):
    call_command("export_dataset", "--format", "parquet", "--output", str(tmp_path))
    table = pd.read_parquet(tmp_path / PARQUET_NAME, dtype_backend="pyarrow")
    assert str(table["date"].dtype) == "date32[day][pyarrow]"
    assert str(table["value"].dtype) == "double[pyarrow]"
    read = table.astype({"date": str}).astype(object)
    expected = database_frame().astype(object)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), expected, check_dtype=False)


def test_the_parquet_schema_has_the_columns_and_types_the_dictionary_shows():
    assert [(field.name, str(field.type)) for field in PARQUET_SCHEMA] == [
        ("date", "date32[day]"),
        ("location_key", "string"),
        ("location_name", "string"),
        ("metric", "string"),
        ("value", "double"),
        ("source", "string"),
    ]
    assert [name for name, _type, _definition in PARQUET_DICTIONARY] == PARQUET_SCHEMA.names
