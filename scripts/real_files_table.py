"""Walk the five real files' journeys (tests/acceptance) and print their table in Markdown.

    .venv/bin/python scripts/real_files_table.py

It runs the acceptance suite with REAL_FILES_TABLE=1: each journey goes through the web pages as in the
tests (on pytest-django's throw-away test database, with the reference data loaded), the file is then
parsed and validated again with the mapping the journey saved to time the validation, and the table is
printed at the end (file, steps a volunteer needed, values taken, values left out per reason, time).
The volunteers' choices are in tests/acceptance/journeys.py; see docs/real-files.md.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ["REAL_FILES_TABLE"] = "1"
    return int(pytest.main(["-q", "-p", "no:cacheprovider", "tests/acceptance", *argv]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
