"""A fresh clone runs its tests and benchmarks with nothing beside it: no file reaches outside the repository.

Every real file a test reads lives in tests/data/ (with its attribution) or demo_data/. This test fails
if the tests, the benchmarks, the Makefile or the CI script name the folder of fixtures that sits next
to the developers' checkout. The searched words are put together at run time so this file does not
match itself.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = [ROOT / "tests", ROOT / "bench", ROOT / "Makefile", ROOT / ".ci"]
BINARY_SUFFIXES = {".xlsx", ".pyc", ".png", ".gz", ".zip"}

_NAME = "sha" + "red"
OUTSIDE = re.compile(
    "|".join(
        [
            re.escape("." * 2 + "/" + _NAME),  # the folder as a relative path
            re.escape("/work/" + _NAME),  # the folder as an absolute path on the developers' machine
            "[\"']" + _NAME + "[\"']",  # the folder as a quoted path component, Path(...) / "<name>"
        ]
    )
)


def searched_files():
    for place in SEARCHED:
        if place.is_file():
            yield place
        elif place.is_dir():
            for path in sorted(place.rglob("*")):
                if path.is_file() and path.suffix not in BINARY_SUFFIXES and "__pycache__" not in path.parts:
                    yield path


def test_the_searched_pattern_finds_what_it_should():
    assert OUTSIDE.search(f'SHARED = ROOT.parent / "{_NAME}" / "data"')
    assert OUTSIDE.search(f"pytest.skip('{'.' * 2}/{_NAME}/data is not beside this checkout')")
    assert OUTSIDE.search(f"cp /work/{_NAME}/data/xlsx/a.xlsx tests/data/")
    assert not OUTSIDE.search(f"minimal_workbook({_NAME}_strings=BILLION_LAUGHS)")


def test_no_test_benchmark_or_build_file_reads_outside_the_repository():
    files = list(searched_files())
    assert any(path.name == "conftest.py" for path in files)  # the search really looked at the tests
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use tests/data/ or demo_data/ instead:\n" + "\n".join(offenders)
