"""JSON: a list of flat records (or one under a single key, or columns and rows) as a table of strings."""

import json

import pandas as pd
from django.utils.translation import gettext_noop

from ..texts import Text
from .parsed import MAX_COLUMNS, MAX_ROWS, ParsedFile, Unreadable, add_sheet, cell_text


def read_json(text: str, parsed: ParsedFile) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(
            "invalid_json",
            Text(
                gettext_noop("The JSON is not valid: %(msg)s at line %(lineno)s, column %(colno)s."),
                msg=str(exc.msg),
                lineno=str(exc.lineno),
                colno=str(exc.colno),
            ),
            row=exc.lineno,
        )
    except RecursionError:
        raise Unreadable(
            "json_wrong_shape", Text(gettext_noop("The JSON is nested too deeply to be a table of records."))
        )
    records = None
    if isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
        columns = [str(c) for c in data["columns"]]
        if not all(isinstance(r, list) for r in data["data"]):
            raise Unreadable(
                "json_wrong_shape",
                Text(
                    gettext_noop(
                        "The JSON's 'data' must be a list of rows (lists). "
                        'Expected a list of records like [{"date": "2020-03-01", "location": "IT", '
                        '"confirmed": 1694}], optionally under one key ({"data": [...]}), or '
                        '{"columns": [...], "data": [[...], ...]}.'
                    )
                ),
            )
        records = [dict(zip(columns, r, strict=False)) for r in data["data"]]
    elif isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            data = lists[0]
    if records is None:
        if not isinstance(data, list):
            raise Unreadable(
                "json_wrong_shape",
                Text(
                    gettext_noop(
                        "The JSON is a %(type)s, not a list of records. Expected a list of records like "
                        '[{"date": "2020-03-01", "location": "IT", "confirmed": 1694}], '
                        'optionally under one key ({"data": [...]}), or {"columns": [...], "data": [[...], ...]}.'
                    ),
                    type=type(data).__name__,
                ),
            )
        if not data:
            raise Unreadable("no_data_rows", Text(gettext_noop("The JSON list is empty.")))
        if not all(isinstance(r, dict) for r in data):
            raise Unreadable(
                "json_wrong_shape",
                Text(
                    gettext_noop(
                        "The JSON list holds something other than records (objects). "
                        'Expected a list of records like [{"date": "2020-03-01", "location": "IT", '
                        '"confirmed": 1694}], optionally under one key ({"data": [...]}), or '
                        '{"columns": [...], "data": [[...], ...]}.'
                    )
                ),
            )
        records = data
    columns = list(dict.fromkeys(k for r in records for k in r))
    if len(columns) > MAX_COLUMNS:
        raise Unreadable(
            "too_many_columns",
            Text(
                gettext_noop("The records have %(count)s keys; the limit is %(max_columns)s."),
                count=f"{len(columns):,}",
                max_columns=f"{MAX_COLUMNS:,}",
            ),
        )
    if len(records) > MAX_ROWS:
        raise Unreadable(
            "too_many_rows",
            Text(
                gettext_noop("The file has %(count)s records; the limit is %(max_rows)s."),
                count=f"{len(records):,}",
                max_rows=f"{MAX_ROWS:,}",
            ),
        )
    out = {}
    for column in columns:
        values = [r.get(column) for r in records]
        nested = next((i for i, v in enumerate(values) if isinstance(v, dict | list)), None)
        if nested is not None:
            raise Unreadable(
                "json_wrong_shape",
                Text(
                    gettext_noop(
                        "Record %(record)s has a nested value under %(column)s; records must be flat (one value per "
                        'key). Expected a list of records like [{"date": "2020-03-01", "location": "IT", '
                        '"confirmed": 1694}], optionally under one key ({"data": [...]}), or '
                        '{"columns": [...], "data": [[...], ...]}.'
                    ),
                    record=nested + 1,
                    column=repr(column),
                ),
                row=nested + 1,
                column=column,
            )
        out[column] = [cell_text(v) for v in values]
    frame = pd.DataFrame(out, dtype="str")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    add_sheet(parsed, "", [str(c).strip() for c in columns], frame, header_row=0)
