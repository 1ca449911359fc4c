"""The JHU export gives back JHU's final global files: same rows, same columns in order, same values."""
import pytest
from django.core.management import call_command

from tests.dataset.jhu_data import METRICS, final_file, module_import, read_original


@pytest.fixture(scope="module")
def final_series(django_db_setup, django_db_blocker):
    with module_import(django_db_blocker, [final_file(m) for m in METRICS]) as output:
        yield output


@pytest.mark.slow
def test_jhu_export_round_trips_the_final_files(final_series, db, tmp_path):
    call_command("export_dataset", "--format", "jhu", "--output", str(tmp_path))
    for metric in METRICS:
        original = read_original(final_file(metric))
        exported = read_original(tmp_path / final_file(metric).name)
        assert list(exported.columns) == list(original.columns)
        assert exported.shape == original.shape
        assert exported.compare(original).empty, metric
