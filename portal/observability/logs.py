"""One JSON object a line (LOG_FORMAT=json, the production default), for log collectors.

Each line has `time`, `level`, `logger` and `message`, the ids `ContextFilter` adds when they are
known (`submission_id`, `release_id`, `task`, `task_id`), any `extra` the call gave, and `exc_info`
for an exception. Fields without a value are left out.
"""

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
