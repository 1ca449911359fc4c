"""Helpers for the dataset tests: the real JHU files, small files written by a test, a module-wide import."""

import contextlib
import io
from pathlib import Path

import pandas as pd
from django.core.management import call_command
from django.db import transaction

from dataset.models import Observation

ROOT = Path(__file__).resolve().parents[2]
FINAL = ROOT / "demo_data" / "jhu"  # JHU's final release (last column 3/9/23), shipped for the demo
EARLY = ROOT / "tests" / "data" / "jhu_time_series_early_2020-03-31"  # an edited third-party copy
METRICS = ("confirmed", "deaths", "recovered")


def final_file(metric: str) -> Path:
    return FINAL / f"time_series_covid19_{metric}_global.csv"


def early_file(metric: str) -> Path:
    return EARLY / f"time_series_covid19_{metric}_global.csv"


def read_original(path: Path) -> pd.DataFrame:
    """A JHU file exactly as text, the way the round-trip test compares it."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def original_cell(original: pd.DataFrame, country: str, column: str, province: str = "") -> float:
    """The one cell of a JHU file (read by read_original) for that country, province and date column."""
    row = original[(original["Country/Region"] == country) & (original["Province/State"] == province)]
    assert len(row) == 1
    return float(row.iloc[0][column])


def stored_value(key: str, metric: str, day) -> float:
    """The canonical value the import stored for that location key, metric code and date."""
    return Observation.objects.get(location__key=key, metric__code=metric, date=day).value


def import_jhu(*paths, extra=("--no-exports",)) -> str:
    out = io.StringIO()
    call_command("import_jhu", *extra, *map(str, paths), stdout=out)
    return out.getvalue()


def write_csv(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    return path


@contextlib.contextmanager
def module_import(django_db_blocker, paths):
    """Import once for a whole test module inside a transaction that is rolled back at its end.

    Each test's own `db` transaction nests inside it as a savepoint, so the tests see the import and
    leave nothing behind for other modules.
    """
    with django_db_blocker.unblock():
        from places.reference import load_reference_data

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_reference_data()
            output = import_jhu(*paths)
            yield output
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
