"""Exports of the canonical dataset: tidy CSV (+ gzip), JHU's time-series layout, Parquet and a Data Package.

Every writer streams from the database in chunks (reading.py) and writes text cells through
`cells.escape_cell`, so a name beginning with = + - @ (or a tab or CR) cannot run as a formula in
a spreadsheet. schema.py names every file and column, for the writers, the Data Package and the
data dictionary page alike. One module per format (tidy, jhu, parquet, datapackage);
release.py writes them all for a release and records them as ReleaseFile rows.
"""

from .release import FORMATS, build_release_exports, export

__all__ = ["FORMATS", "build_release_exports", "export"]
