"""problems.csv: a header cell a spreadsheet would run as a formula is escaped like any other cell."""

import csv
import io

import pandas as pd

from contributions.parsing.parsed import ParsedFile, Sheet
from contributions.reporting import problem_rows_csv


def test_formula_cells_in_the_header_row_are_escaped():
    frame = pd.DataFrame({'=HYPERLINK("http://x")': ["1"], "+cmd": ["2"], "value": ["3"]}, index=[2])
    parsed = ParsedFile(filename="f.csv", kind="csv", sheets=[Sheet(name="", header=list(frame.columns), frame=frame)])
    problems = pd.DataFrame(
        [{"row": 2, "sheet": "", "severity": "error", "code": "x", "column": "value", "value": "3", "message": "bad"}]
    )
    rows = list(csv.reader(io.StringIO(problem_rows_csv(parsed, problems))))
    assert rows[0] == ["sheet", "row", '\'=HYPERLINK("http://x")', "'+cmd", "value", "error"]
    assert rows[1][2:4] == ["1", "2"]
