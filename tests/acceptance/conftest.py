"""The people of a journey, and the table of the five journeys (printed when REAL_FILES_TABLE=1:
scripts/real_files_table.py sets it, see docs/real-files.md)."""

import os

import pytest

from .journeys import JOURNEYS

TABLE: dict[str, dict] = {}  # journey key -> its row, filled by the tests


def record(key: str, **row) -> None:
    TABLE.setdefault(key, {}).update(row)


@pytest.fixture
def people(make_user):
    """people("FR"): a volunteer and a reviewer of that country (two different people)."""

    def make(country: str):
        volunteer = make_user(f"volunteer-{country.lower()}@example.org", countries=(country,))
        reviewer = make_user(f"reviewer-{country.lower()}@example.org", role="reviewer", countries=(country,))
        return volunteer, reviewer

    return make


def table_markdown() -> str:
    lines = [
        "| file | steps a volunteer needed | values taken | values left out (reason: values) | validation (s) |",
        "| --- | --- | ---: | --- | ---: |",
    ]
    for key, journey in JOURNEYS.items():
        row = TABLE.get(key)
        if row is None:
            continue
        status = "" if row.get("passed") else " (journey failed: see the test's report)"
        seconds, taken = row.get("validation_seconds"), row.get("taken")
        lines.append(
            f"| `{journey.filename}` | {row.get('steps', journey.steps())}{status} "
            f"| {'–' if taken is None else f'{taken:,}'} | {row.get('left_out', '–')} "
            f"| {'–' if seconds is None else f'{seconds:.2f}'} |"
        )
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if TABLE and os.environ.get("REAL_FILES_TABLE") == "1":
        terminalreporter.write_sep("=", "real files")
        terminalreporter.write_line(table_markdown())
