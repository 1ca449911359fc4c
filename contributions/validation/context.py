"""What the steps of a validation share: the context, each sheet's plan, and the result they hand back."""

import datetime as dt
from concurrent.futures import Future
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from common import parallel
from places.models import Location, Metric
from places.resolver import LocationResolver, Place

from ..contracts import ColumnMapping, MappingReason, Problem, ValidationReport
from ..parsing import ParsedFile
from ..texts import Text
from .encoding import encode
from .problems import PROBLEM_COLUMNS, Problems

FRAME_COLUMNS = ["location_id", "location_key", "metric_id", "metric", "date", "value", "row", "sheet"]


@dataclass
class ValidationResult:
    frame: pd.DataFrame
    report: ValidationReport
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    keys: np.ndarray | None = None  # observation_keys of frame's rows, for compute_diff (None: not known)

    @property
    def is_valid(self) -> bool:
        return self.report["valid"]

    def write_parquet(self, path: str | PathLike[str]) -> None:
        """Store the normalised frame (pyarrow, no index)."""
        self.frame.to_parquet(path, index=False)


@dataclass
class Plan:
    """How one sheet is read: its layout and which column holds what (from the mapping, or detected)."""

    sheet: str
    layout: str | None = None
    date_column: str | None = None
    date_constant: dt.date | None = None
    date_columns: list[str] = field(default_factory=list)  # wide_date: headers that are dates
    location_columns: list[str] = field(default_factory=list)
    location_constant: Place | None = None
    metric_columns: dict[str, str] = field(default_factory=dict)  # wide_metric: column -> code
    metric_column: str | None = None
    value_column: str | None = None
    metric: str | None = None  # wide_date and wide_place
    column_places: dict[str, str] = field(default_factory=dict)  # column -> location key of its values ("": left out)
    roles: dict[str, str | None] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)  # {column, values, reason, on_purpose}
    reasons: list[MappingReason] = field(default_factory=list)
    suggested: dict[str, Any] = field(default_factory=dict)

    def need(self, code: str, message: str, **suggested: object) -> None:
        self.reasons.append(mapping_reason(code, message, self.sheet or None))
        self.suggested.update(suggested)

    def describe(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "layout": self.layout,
            "date_column": self.date_column,
            "date": self.date_constant.isoformat() if self.date_constant else None,
            "location_columns": self.location_columns,
            "location": self.location_constant.key if self.location_constant else None,
            "metric_columns": self.metric_columns,
            "metric_column": self.metric_column,
            "value_column": self.value_column,
            "metric": self.metric,
            "date_columns": len(self.date_columns),
            "column_places": self.column_places,
            "roles": self.roles,
            "unused_columns": self.unused,
            "left_out": self.left_out,
        }


class Context:
    """What every step needs: the mapping, reference data and where problems go."""

    @staticmethod
    def place_of(resolver: LocationResolver, location: Location | str | None) -> Place | None:
        """The resolver's place for a Location or a key (None for None or an unknown key)."""
        if isinstance(location, Location):
            return resolver.places.get(location.pk)
        return resolver.get(str(location)) if location else None

    def __init__(
        self, parsed: ParsedFile, mapping: ColumnMapping, default_country: Location | str | None, today: dt.date
    ) -> None:
        self.parsed = parsed
        self.mapping = mapping
        self.today = today
        self.problems = Problems()
        self.resolver = LocationResolver.current()
        self.metrics: dict[str, tuple[int, str]] = {
            code: (pk, kind) for pk, code, kind in Metric.objects.values_list("id", "code", "kind")
        }
        self.country = self.place_of(self.resolver, default_country)
        # What the file still needs from the volunteer's mapping, and the mapping suggested.
        self.needs: list[MappingReason] = []
        self.suggested: dict[str, Any] = {}
        # A place inside a known one is unknown (a US county); and one such known place is also
        # given directly, so its unknown parts cannot be added up into it.
        self.sublocations_unknown = False
        self.incomplete_given_directly = False
        # Columns left out with a warning, by (code, column): the sheets that have one share its warning.
        self.left_out_warnings: dict[tuple[str, str], Problem] = {}
        # (id of a sheet's frame, column) -> (the frame, its encoding): see encoding().
        self._encodings: dict[tuple[int, str], tuple[pd.DataFrame, Future[tuple[np.ndarray, list[str]]]]] = {}

    def encoding(self, frame: pd.DataFrame, column: str) -> Future[tuple[np.ndarray, list[str]]]:
        """The codes and distinct stripped texts of `frame[column]` (encoding.encode), started on the
        array pool the first time they are asked for: the totals-row check, the long rows and the
        report's row filters all read the same million cells once."""
        key = (id(frame), column)
        held = self._encodings.get(key)
        if held is None or held[0] is not frame:  # the frame is held, so its id is not reused meanwhile
            held = (frame, parallel.submit(encode, frame[column], rows=len(frame)))
            self._encodings[key] = held
        return held[1]

    def known_encoding(self, frame: pd.DataFrame, column: str) -> Future[tuple[np.ndarray, list[str]]] | None:
        """The encoding of `frame[column]` if a step asked for it already, else None."""
        held = self._encodings.get((id(frame), column))
        return held[1] if held is not None and held[0] is frame else None


def mapping_reason(code: str, message: str, sheet: str | None) -> MappingReason:
    """Why the file needs a column mapping; a Text message also stores its msgid and params."""
    reason: MappingReason = {"code": code, "message": str(message), "sheet": sheet}
    if isinstance(message, Text):
        reason["msgid"] = message.msgid
        if message.params:
            reason["params"] = dict(message.params)
    return reason
