"""The submission, release and task a log line is about, in the web process and in the worker.

Each is a contextvar: the middleware clears them at each request and binds the submission of the
URL (`/submissions/12/`, `/review/12/`, `/api/v1/submissions/12/approve/`), a task binds the
`submission_id` or `release_id` among its arguments, and creating a submission or a release binds its id for the rest
of the request or task. `ContextFilter`, on the log handlers, copies them onto every record, so a
JSON line carries `submission_id`, `release_id`, `task` and `task_id` whenever they are known.
"""

import inspect
import logging
from contextvars import ContextVar, Token
from typing import Any

from celery import signals as celery_signals
from django.db.models.signals import post_save

submission_id: ContextVar[int | None] = ContextVar("submission_id", default=None)
release_id: ContextVar[int | None] = ContextVar("release_id", default=None)
task_name: ContextVar[str | None] = ContextVar("task_name", default=None)
task_id: ContextVar[str | None] = ContextVar("task_id", default=None)

FIELDS: dict[str, ContextVar[Any]] = {
    "submission_id": submission_id,
    "release_id": release_id,
    "task": task_name,
    "task_id": task_id,
}

Tokens = list[tuple[ContextVar[Any], Token[Any]]]


def bind(**values: Any) -> Tokens:
    """Set the given fields (names of FIELDS) until `unbind(tokens)`; None values are skipped."""
    tokens: Tokens = []
    for name, value in values.items():
        if value is not None:
            var = FIELDS[name]
            tokens.append((var, var.set(value)))
    return tokens


def unbind(tokens: Tokens) -> None:
    for var, token in reversed(tokens):
        var.reset(token)


def clear() -> None:
    """Forget every field (a new request starts)."""
    for var in FIELDS.values():
        var.set(None)


def current() -> dict[str, Any]:
    """The fields bound now (the ones that are set)."""
    return {name: value for name, var in FIELDS.items() if (value := var.get()) is not None}


class ContextFilter(logging.Filter):
    """Adds the bound ids to every record (None when unknown), for the formatters to print.

    Celery's lines about a task ("received", "succeeded in", "raised") are logged outside the task's
    run, in the worker's main process or after `task_postrun`: their ids come from the task's name,
    id and arguments that Celery passes with them (`data`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        known = trace_fields(data) if isinstance(data, dict) and "id" in data and "name" in data else {}
        for name, var in FIELDS.items():
            if getattr(record, name, None) is None:
                setattr(record, name, known.get(name, var.get()))
        return True


def trace_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The task, task id, submission and release of one of Celery's own lines about a task."""
    import ast

    from celery import current_app

    fields: dict[str, Any] = {"task": data.get("name"), "task_id": data.get("id")}
    task = current_app.tasks.get(str(data.get("name")))
    if task is not None:
        try:
            args = ast.literal_eval(data.get("args") or "()")
            kwargs = ast.literal_eval(data.get("kwargs") or "{}")
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return fields  # arguments that are no literals, or cut short by Celery's repr
        if isinstance(args, list | tuple) and isinstance(kwargs, dict):
            fields.update(ids_from_arguments(task, args, kwargs))
    return fields


# Tasks: the ids among the arguments, bound from task_prerun to task_postrun (also when run inline).
_task_tokens: dict[str, Tokens] = {}


def ids_from_arguments(task: Any, args: Any, kwargs: Any) -> dict[str, int]:
    """The `submission_id` and `release_id` a task was called with, whether positional or by name."""
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except (TypeError, ValueError):
        return {}
    return {
        name: value
        for name, value in bound.arguments.items()
        if name in ("submission_id", "release_id") and isinstance(value, int)
    }


def _task_started(
    sender: Any = None, task_id: str = "", task: Any = None, args: Any = None, kwargs: Any = None, **_: Any
) -> None:
    task = task or sender
    if task is None:
        return
    # Every field is set, None included: resetting them at the end also undoes what the task bound meanwhile.
    values = {"submission_id": None, "release_id": None, "task": task.name, "task_id": task_id}
    values.update(ids_from_arguments(task, args, kwargs))
    _task_tokens[task_id] = [(FIELDS[name], FIELDS[name].set(value)) for name, value in values.items()]


def _task_ended(sender: Any = None, task_id: str = "", **_: Any) -> None:
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        unbind(tokens)


def _created(field: str) -> Any:
    def receiver(sender: Any, instance: Any, created: bool = False, **_: Any) -> None:
        if created:
            FIELDS[field].set(instance.pk)  # until the next request, or the task's end

    return receiver


_on_submission_created = _created("submission_id")
_on_release_created = _created("release_id")


def connect() -> None:
    from contributions.models import Submission
    from dataset.models import Release

    celery_signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="observability-context-prerun")
    celery_signals.task_postrun.connect(_task_ended, weak=False, dispatch_uid="observability-context-postrun")
    post_save.connect(_on_submission_created, sender=Submission, weak=False, dispatch_uid="observability-submission")
    post_save.connect(_on_release_created, sender=Release, weak=False, dispatch_uid="observability-release")
