"""Turn a parsed upload into one normalised long frame and a report volunteers can act on.

Contract (the upload task, the API, review and merge rely on it; keep it stable):

    validate(parsed, *, mapping=None, recipe=None, default_country=None, today=None,
             source_country=None) -> ValidationResult

- `parsed`: a `contributions.parsing.ParsedFile`.
- `mapping`: the volunteer's column mapping (JSON dict, see MAPPING_KEYS and
  contracts.ColumnMapping); it wins over `recipe`, a `sources.models.SourceRecipe` (or a plain
  dict) saved from an earlier approved upload.
- `default_country`: the submission's country (`Location`, key or None): names are looked up
  inside it, and it is the suggested constant location when a file has no location column.
- `today`: the date after which values are "in the future" (default: today, UTC).
- `source_country`: the country of a national source (None for an international one): a value of
  a place outside it (by key, code, a constant place or the mapping) is a
  `location_outside_country` error naming the rows.

`ValidationResult.frame` is the normalised long DataFrame, one row per value, columns
`location_id` (int64), `location_key`, `metric_id` (int64), `metric` (the code),
`date` (datetime64[s]), `value` (float64), `row` (int64, 1-based row in the file or sheet; for a
value summed from several rows, the first), `sheet` ("" for CSV/JSON). `location_key`, `metric`
and `sheet` are categoricals of str (a million rows share a few hundred names). It holds only valid
rows, sorted by location_id, metric_id and date. `.report` is JSON-serialisable:

    {"valid": bool, "needs_mapping": {"needed": bool, "reasons": [{"code", "message"}...],
     "suggested": {mapping}}, "detected": {file detection + per-sheet layout, columns and roles},
     "mapping": {the mapping applied, with the detected layout}, "layout": "long" | "wide_metric" |
     "wide_date" | "wide_place" | "mixed" (sheets differ) | "", "rows": {"source": n, "values": n},
     "counts": {code: affected rows}, "errors": n, "warnings": n,
     "problems": [{severity, code, message, row, column, value, sheet[, rows, row_count, suggestions,
                   parent, within]}...],
     "problems_truncated": bool, "countries": [{"key", "name", "values"}...] (valid reports only:
     the countries of the values, a special place outside every country standing for itself),
     "recipe": {"id", "signature", "keys"} | None (the source's recipe chosen by the file's header
     signature; the upload task adds it)}

`report["detected"]` also lists `sheet_names` (every sheet of a workbook, read or not) and
`skipped_sheets` ([{name, reason}]); each of its `sheets` is that sheet's plan (layout, columns,
roles, location_columns, column_places...) with `name`, `read`, `reason`, `values` (column -> its
distinct values, for columns with at most filters.MAX_FILTER_VALUES of them: the row filters a
mapping page can offer) and `left_out` ([{column, values, reason, on_purpose[, metric]}]: every
column not taken, with its number of values and why).

Messages are stored in English; a problem, a mapping reason, a left-out column's reason
(`reason_msgid`, `reason_params`) and an unread sheet's (`reason_parts`) also keep their `msgid` and
`params` (contributions.texts), which the pages use to show them in the reader's language.

`.problems` is a DataFrame with one line per affected source row (row, sheet, severity, code,
column, value, message, msgid, params): what the "download the rows with an error column" CSV is
made from.
`.keys` holds the frame's observation keys (dataset.keys.observation_keys), for compute_diff; None when the
result is not valid. `.is_valid` is False when there is any error or a mapping is needed.
`.write_parquet(path)` stores the frame so review and merge never parse the file again.

Big files (from common.parallel.MIN_ROWS rows) have some column passes run side by side in threads
and text columns made of long runs hashed once per run; the result is the same as for small files
(tests/contributions/validation/test_normalise.py runs one file both ways).

Problem codes. Errors (block): every parsing error (see contributions/parsing: empty_file, unsupported_type,
binary_file, encoding_error, mixed_encoding, unsupported_encoding, unterminated_quote,
line_too_long, too_many_columns, too_many_rows, duplicate_columns, no_data_rows, single_column,
wrong_field_count, invalid_json, json_wrong_shape, corrupt_xlsx, zip_bomb, xml_entities_refused,
macros_refused, formula_without_value, file_too_large, unreadable, bad_mapping),
needs_mapping, bad_mapping, unknown_location, ambiguous_location,
location_outside_country, unknown_metric, date_unparseable, date_formats_mixed (a date column whose
values are written in more than one order), date_in_future, date_too_early, value_not_numeric,
value_not_finite, value_exponent, formula_in_cell (CSV/JSON: a formula where a value belongs),
conflicting_duplicate, no_values, validation_failed (a bug of ours, logged).
Warnings (inform the reviewer): title_row_skipped,
formula_in_cell (XLSX with saved results), empty_sheet, sheet_skipped, duplicate_row,
negative_value, cumulative_decrease, implausible_jump, sublocations_aggregated (per parent, every
name and its rows), sublocations_ignored, location_ignored, empty_values, bad_mapping (unknown
mapping keys; column_places on a layout without them; a sheet the mapping names that the workbook
lacks), date_year_day_month (a column read as year-day-month throughout), rows_not_kept (the row
filter: values kept, values found, rows left out), totals_row_skipped (a row with neither a date nor
a place, such as a =SUM() row), sheets_repeat_values, unmapped_metric_column (a column that looks
like a metric we did not take), total_column (the total of the place columns, left out),
unknown_place_column (values of no known place, left out).
(Values identical to the canonical ones are counted by diff.py: `identical_to_canonical`.)

needs_mapping reasons (report["needs_mapping"]["reasons"][i]["code"]): layout_unknown,
no_date_column, no_location_column, no_metric, no_metric_column, no_metric_columns,
ambiguous_metric_columns, ambiguous_date_format, unknown_sublocations, no_place_columns,
unknown_place_columns (one column per place: a header that may be a place we do not know).

"unknown_sublocations": a row whose most specific place (say a US county) is unknown while the
place above it (its state, from another column of the same row) is known. With "aggregate", known
places keep their own values, and a parent the file does not give itself gets the sum of all its
rows, known and unknown (US counties become state totals); a parent the file gives itself keeps its
own row and its unknown places are left out with a warning rather than counted twice. Every name
added up or left out is listed with its rows (subplaces.py).

Mapping keys (MAPPING_KEYS; all optional; saved as SourceRecipe.mapping):
    layout: "long" | "wide_metric" | "wide_date" | "wide_place" (one row per date, one column per place)
    date_column: column name;  date_format: strptime format ("%d/%m/%Y");  date: constant "YYYY-MM-DD"
    location_columns: [columns, most general first] (country, region, subregion);
    location: constant location key;  sheet_as_location: bool (each sheet's name is its location)
    locations: {text in the file, or "Parent / text": location key, or "" to leave those rows out}
    location_schemes: {location column: alias scheme} ("istat" for codice_regione, guessed from the name)
    unknown_sublocations: "error" (default) | "aggregate" (add them up into the place above:
        US counties into their state) | "ignore" (leave them out, with a warning)
    metric_column, value_column: for long files
    metrics: {column: metric code or ""} (wide_metric: columns given the same code are added up)
             or {text in the metric column: metric code or ""} (long)
    metric: metric code for a wide-by-date or one-column-per-place file (else guessed from the file name)
    column_places: {column: location key or ""} (wide_place, and wide_metric columns of one place)
    keep_rows: {column: [values to keep]} (the other rows are left out and counted)
    use_recipe: false (the source's recipe is not applied); a key set to None clears the recipe's value
    ignore: [columns];  sheets: [sheet names to read];  encoding, delimiter, decimal, thousands (parsing)

Where each step lives: run.py (validate, the report), filters.py (keep_rows, and the values a row
filter can offer), planning.py (each sheet's layout and columns; place_columns.py for one column per
place, left_out.py for the columns not taken), reshape.py (a sheet in long form), encoding.py (texts
as codes), dates.py, resolution.py (places and metrics; subplaces.py for unknown places inside known
ones), values.py, normalise.py (the sorted frame, sums and duplicates), series.py (warnings on
series), problems.py; context.py holds what the steps share. The report's, the diff's and the
mapping's types are in contributions/contracts.py; the observation key in dataset/keys.py.
"""

from dataset.keys import observation_keys

from ..contracts import MAPPING_KEYS
from .context import FRAME_COLUMNS, Context, Plan, ValidationResult
from .dates import EARLIEST_DATE, DateReading, date_in_filename, read_dates
from .encoding import encode, texts_at
from .planning import LAYOUTS, plan_sheet
from .problems import PROBLEM_COLUMNS, Problems
from .run import validate

__all__ = [
    "EARLIEST_DATE",
    "FRAME_COLUMNS",
    "LAYOUTS",
    "MAPPING_KEYS",
    "PROBLEM_COLUMNS",
    "Context",
    "DateReading",
    "Plan",
    "Problems",
    "ValidationResult",
    "date_in_filename",
    "encode",
    "observation_keys",
    "plan_sheet",
    "read_dates",
    "texts_at",
    "validate",
]
