"""Exports of the canonical dataset: tidy CSV (+ gzip), JHU's time-series layout, Parquet and a Data Package.

Every writer works from a Table (table.py: the values in the tidy order, from the value snapshot,
the database, or a past release's history) and writes text cells through `cells.escape_cell`, so a
name beginning with = + - @ (or a tab or CR) cannot run as a formula in a spreadsheet. schema.py
names every file and column, for the writers, the Data Package and the data dictionary page alike.
One module per format (tidy, jhu + jhu_table, parquet, datapackage); release.py writes them for a
release from what changed since the one before (segments.py: the tidy CSV in shared pieces;
incremental.py: the rows of the changed pieces only) and records them as ReleaseFile rows;
finishing.py is their follow-up (checksums, Parquet, JHU); retention.py says which releases keep
their files.
"""

from .release import FORMATS, build_release_exports, export

__all__ = ["FORMATS", "build_release_exports", "export"]
