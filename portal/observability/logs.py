"""One JSON object a line (LOG_FORMAT=json, the production default), for log collectors.

Each line has `time`, `level`, `logger` and `message`, the ids `ContextFilter` adds when they are
known (`submission_id`, `release_id`, `task`, `task_id`), any `extra` the call gave, and `exc_info`
for an exception. Fields without a value are left out.
"""

import logging
import logging.config
from typing import Any

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FIELDS = ["asctime", "levelname", "name", "message"]
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonFormatter(BaseJsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", RENAMED)
        super().__init__(FIELDS, *args, **kwargs)

    def formatTime(self, record: Any, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        """ISO 8601 in UTC with milliseconds, e.g. 2026-11-30T17:50:00.123Z."""
        import datetime

        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in log_data.items() if value is not None}


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, and with JSON logs Python's warnings logged as
    records of `py.warnings` (a JSON line each) rather than printed as text on stderr."""
    from django.conf import settings

    logging.config.dictConfig(config)
    logging.captureWarnings(getattr(settings, "LOG_FORMAT", "text") == "json")


class AccessFields:
    """A filter for gunicorn's access lines: the request's method, path, status, size and duration as
    fields (gunicorn passes them as the record's arguments), beside the formatted message."""

    ATOMS = {"m": "method", "U": "path", "s": "status", "B": "bytes", "M": "duration_ms", "h": "client"}

    def filter(self, record: Any) -> bool:
        atoms = record.args if record.name == "gunicorn.access" and isinstance(record.args, dict) else None
        for atom, field in self.ATOMS.items():
            if atoms and atom in atoms and not hasattr(record, field):
                value = atoms[atom]
                setattr(record, field, _number(value) if field in ("status", "bytes", "duration_ms") else value)
        return True


def _number(value: Any) -> int | None:
    """gunicorn writes "-" for a size it does not know."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
