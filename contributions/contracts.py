"""The JSON that crosses module boundaries: the validation report, the diff and the column mapping.

Producers (parsing, validation, diff, the mapping form) and consumers (the upload task, the pages,
the API, review and merge) import these definitions instead of guessing at keys. They describe
what is stored in `Submission.report`, `Submission.diff` and `Submission.mapping` (and
`SourceRecipe.mapping`); a submission not validated yet stores `{}`.
"""

from typing import Any, Literal, NotRequired, TypedDict

Severity = Literal["error", "warning"]


class Problem(TypedDict):
    """One entry of a report (contributions.parsing.problem builds it)."""

    severity: Severity
    code: str
    message: str
    row: int | None  # 1-based row in the file or sheet
    column: str | None
    value: str | None  # at most 200 characters
    sheet: str | None
    rows: NotRequired[list[int]]  # the first 50 rows, when the problem stands for several
    row_count: NotRequired[int]
    suggestions: NotRequired[list[str]]  # closest known location keys (unknown_location)
    parent: NotRequired[str | None]  # unknown_location: key of the place the text was looked for in
    within: NotRequired[str]  # unknown_location: the row's more general place texts ("Canada"), for "Canada / text"
    summary: NotRequired[bool]  # "n rows in all have this problem": the list was cut
    msgid: NotRequired[str]  # the message's msgid (contributions.texts), to show it in the reader's language
    params: NotRequired[dict[str, Any]]  # its params: names, rows, columns as in the file


class MappingReason(TypedDict):
    """Why a file needs a column mapping (code: layout_unknown, no_date_column, ...)."""

    code: str
    message: str
    sheet: str | None
    msgid: NotRequired[str]  # as in Problem
    params: NotRequired[dict[str, Any]]


class ColumnMapping(TypedDict, total=False):
    """A volunteer's column mapping (all keys optional); saved as SourceRecipe.mapping.

    See contributions.validation for what each key means. A key the volunteer sets to None clears the
    value the source's recipe gave it."""

    layout: str  # "long", "wide_metric", "wide_date" or "wide_place" (one column per place)
    date_column: str
    date_format: str  # strptime format ("%d/%m/%Y")
    date: str  # constant date, "YYYY-MM-DD"
    location_columns: list[str]  # most general first
    location: str  # constant location key
    sheet_as_location: bool
    locations: dict[str, str]  # text in the file (or "Parent / text") -> location key, "" to leave out
    location_schemes: dict[str, str]  # location column -> alias scheme ("istat")
    unknown_sublocations: Literal["error", "aggregate", "ignore"]
    metric_column: str
    value_column: str
    metrics: dict[str, str]  # column (wide_metric) or text (long) -> metric code, "" to leave out
    metric: str  # wide_date and wide_place: the metric of every value
    column_places: dict[str, str]  # wide_place (and wide_metric): column -> location key of its values, "" to leave out
    keep_rows: dict[str, list[str]]  # column -> the values to keep; the other rows are left out and counted
    use_recipe: bool  # False: the source's recipe is not applied to this file
    ignore: list[str]
    sheets: list[str]
    encoding: str
    delimiter: str
    decimal: str
    thousands: str


MAPPING_KEYS = frozenset(ColumnMapping.__annotations__)


class NeedsMapping(TypedDict):
    needed: bool
    reasons: list[MappingReason]
    suggested: ColumnMapping


class RowCounts(TypedDict):
    source: int  # rows read from the file
    values: int  # values in the normalised frame


class CountryValues(TypedDict):
    """A country the normalised values are in (a special place outside every country stands for itself)."""

    key: str
    name: str
    values: int


class ValidationReport(TypedDict):
    """`ValidationResult.report`, stored as Submission.report.

    A validation that could not run at all (contributions.pipeline.failure_report) stores only
    valid, counts, errors, warnings and problems."""

    valid: bool
    counts: dict[str, int]  # problem code -> affected rows
    errors: int
    warnings: int
    problems: list[Problem]  # at most 5,000
    needs_mapping: NotRequired[NeedsMapping]
    detected: NotRequired[dict[str, Any]]  # ParsedFile.detection(), with each sheet's plan (layout, columns, roles)
    mapping: NotRequired[ColumnMapping]  # the mapping applied, with the detected layout
    layout: NotRequired[str]  # "long", "wide_metric", "wide_date", "mixed" (sheets differ) or ""
    rows: NotRequired[RowCounts]
    problems_truncated: NotRequired[bool]
    problems_csv: NotRequired[str]  # storage path of the rows with a problem (the upload task adds it)
    problems_csv_texts: NotRequired[str]  # storage path of the msgids of its `error` column, line by line (JSON)
    countries: NotRequired[list[CountryValues]]  # of the valid values, by key; reviewers must cover them all
    recipe: NotRequired["RecipeApplied | None"]  # the source's recipe applied to this file, if any


class RecipeApplied(TypedDict):
    """Which of the source's recipes was applied (chosen by the file's header signature)."""

    id: int
    signature: str
    keys: list[str]  # the mapping keys it set (the volunteer's own keys win over them)


class DiffCounts(TypedDict):
    total: int
    new: int
    changed: int
    unchanged: int


class SeriesDiff(TypedDict):
    """The counts of one location and metric, and its first and last date ("YYYY-MM-DD")."""

    location: str
    metric: str
    new: int
    changed: int
    unchanged: int
    first_date: str
    last_date: str


class Change(TypedDict):
    location: str
    metric: str
    date: str
    old: float
    new: float
    delta: float
    relative: float | None  # delta / |old|, None when old is 0
    old_source_id: int


class LargestChanges(TypedDict):
    absolute: list[Change]
    relative: list[Change]


class OutrankingSource(TypedDict):
    """A source whose current values the upload would replace although its priority is higher."""

    id: int
    name: str
    priority: int
    count: int


class HigherPriority(TypedDict):
    count: int  # changed values whose current source outranks the upload's
    sources: list[OutrankingSource]
    examples: list[Change]


class DiffWarning(TypedDict):
    severity: Severity
    code: str  # identical_to_canonical
    message: str
    count: int
    msgid: NotRequired[str]  # as in Problem
    params: NotRequired[dict[str, Any]]


class DiffSource(TypedDict):
    id: int | None
    name: str
    priority: int


class DiffSummary(TypedDict):
    """`compute_diff`'s result, stored as Submission.diff."""

    counts: DiffCounts
    series: list[SeriesDiff]  # at most diff.MAX_SERIES, by location and metric
    series_truncated: bool
    largest_changes: LargestChanges
    higher_priority: HigherPriority
    warnings: list[DiffWarning]
    source: DiffSource
    release: NotRequired[int | None]  # the release compared with (absent when the upload is empty)
