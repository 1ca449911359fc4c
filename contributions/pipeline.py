"""Validation of one stored upload: parse, choose the source's recipe for the file's shape
(contributions.recipes), validate, diff, store the normalised Parquet, report.

Runs in the worker (contributions.tasks.validate_submission). Any problem with the file ends as an
*invalid* submission with a report the volunteer can act on; only infrastructure errors (database,
storage) propagate so that the task is retried.
"""

import logging
import tempfile
import uuid
from pathlib import Path
from typing import cast

import pandas as pd
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_noop

from common.storage import STORE_ERRORS, local_copy
from places.models import Location

from . import recipes
from .contracts import ColumnMapping, DiffSummary, ValidationReport
from .diff import compute_diff
from .models import Submission
from .parsing import ParsedFile, parse_file, problem
from .reporting import problem_rows_csv, save_problem_texts
from .signals import validation_finished
from .texts import Text
from .validation import validate

logger = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (DatabaseError, *STORE_ERRORS)


def set_progress(submission_id: int, percent: int, message: str) -> None:
    """`message` is stored in English, marked with gettext_noop: the pages translate it when shown."""
    Submission.objects.filter(pk=submission_id, status=Submission.Status.VALIDATING).update(
        progress=percent, progress_message=message
    )


def failure_report(code: str, message: str) -> ValidationReport:
    """The short report of a validation that could not run at all."""
    return {
        "problems": [problem(code, message)],
        "counts": {code: 1},
        "errors": 1,
        "warnings": 0,
        "valid": False,
    }


def finish(
    submission_id: int,
    *,
    status: str,
    report: ValidationReport,
    diff: DiffSummary | None = None,
    normalised_path: str = "",
    row_count: int = 0,
    layout: str = "",
) -> bool:
    """Write the outcome, only if the submission is still waiting for this validation."""
    fields = {
        "status": status,
        "report": report,
        "diff": diff or {},
        "normalised_path": normalised_path,
        "row_count": row_count,
        "error_count": report["errors"],
        "warning_count": report["warnings"],
        "progress": 100,
        "progress_message": gettext_noop("Done"),
    }
    if layout:
        fields["layout"] = layout
    updated = Submission.objects.filter(pk=submission_id, status=Submission.Status.VALIDATING).update(**fields)
    if updated:
        keys = [country["key"] for country in report.get("countries", [])]
        Submission.countries.through.objects.filter(submission_id=submission_id).delete()
        Submission.countries.through.objects.bulk_create(
            Submission.countries.through(submission_id=submission_id, location_id=pk)
            for pk in Location.objects.filter(key__in=keys).values_list("pk", flat=True)
        )
    return bool(updated)


def save_problem_rows(parsed: ParsedFile, problems: pd.DataFrame) -> tuple[str, str | None]:
    """Store the file's rows that have a problem, with an `error` column, and that column in a form
    any language can show (reporting.problem_rows_texts); returns their storage paths."""
    content = problem_rows_csv(parsed, problems).encode("utf-8")
    name = uuid.uuid4().hex
    path = default_storage.save(f"problems/{name}.csv", ContentFile(content))
    return path, save_problem_texts(problems, f"problems/{name}.texts.json")


def run_validation(submission_id: int) -> str | None:
    """Validate the submission's current file; returns the new status (None if there was nothing to do)."""
    submission = Submission.objects.select_related("source", "country").filter(pk=submission_id).first()
    if submission is None or submission.status != Submission.Status.VALIDATING:
        return None
    status = _run(submission)
    if status != Submission.Status.VALIDATING:
        validation_finished.send(sender=Submission, submission_id=submission_id, status=status)
    return status


def _run(submission: Submission) -> str:
    submission_id = submission.pk
    try:
        return _validate(submission)
    except INFRASTRUCTURE_ERRORS:
        raise  # infrastructure (the database, the file store): let the task retry
    except SoftTimeLimitExceeded:
        report = failure_report(
            "too_slow",
            Text(
                gettext_noop("Validation took too long. Split the file into smaller files and upload them one by one.")
            ),
        )
    except MemoryError:
        report = failure_report(
            "too_large",
            Text(gettext_noop("The file needs more memory than validation may use. Split it into smaller files.")),
        )
    except Exception:
        logger.exception("Validation of submission %s failed unexpectedly", submission_id)
        report = failure_report(
            "unreadable",
            Text(
                gettext_noop(
                    "We could not read this file. Check that it is a CSV, TSV, XLSX or JSON file; "
                    "the team has been notified."
                )
            ),
        )
    finish(submission_id, status=Submission.Status.INVALID, report=report)
    return Submission.Status.INVALID


def fail(submission_id: int, error: BaseException) -> bool:
    """The worker gave up (the database or storage stayed unreachable): say so in the report."""
    logger.error("Validation of submission %s gave up: %s", submission_id, error)
    report = failure_report(
        "not_checked",
        Text(
            gettext_noop(
                "We could not check this file because of a problem on our side. "
                "Upload it again later; the team has been notified."
            )
        ),
    )
    return finish(submission_id, status=Submission.Status.INVALID, report=report)


def _validate(submission: Submission) -> str:
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp, local_copy(submission.file.name) as local:
        # The stored upload itself on a local store, else a temporary copy: the web server that took
        # the upload may be another machine (docs/storage.md).
        set_progress(submission.pk, 5, gettext_noop("Reading the file"))
        own = cast(ColumnMapping, submission.mapping or {})
        reading = {key: value for key, value in own.items() if value is not None}
        parsed = parse_file(local, filename=submission.original_filename, mapping=cast(ColumnMapping, reading))
        # The source's recipe for this file's shape (its headers), if any; read again if it says how.
        recipe = recipes.choose(submission.source, parsed, own)
        overrides = recipes.parsing_overrides(recipe, own, parsed)
        if overrides:
            parsed = parse_file(
                local, filename=submission.original_filename, mapping=cast(ColumnMapping, {**reading, **overrides})
            )
        set_progress(submission.pk, 30, gettext_noop("Checking dates, places, metrics and values"))
        result = validate(
            parsed,
            mapping=own or None,
            recipe=recipe,
            # Places of a national source resolve inside its country; of an international one, worldwide.
            default_country=submission.source.country,
            source_country=submission.source.country,  # None for an international source
        )
        report = result.report
        report["recipe"] = recipes.applied(recipe, own)
        layout = report["mapping"].get("layout") or ""
        if len(result.problems):
            report["problems_csv"], texts = save_problem_rows(parsed, result.problems)
            if texts:
                report["problems_csv_texts"] = texts
        if report["needs_mapping"]["needed"]:
            finish(submission.pk, status=Submission.Status.NEEDS_MAPPING, report=report, layout=layout)
            return Submission.Status.NEEDS_MAPPING
        if not result.is_valid:
            finish(
                submission.pk,
                status=Submission.Status.INVALID,
                report=report,
                row_count=len(result.frame),
                layout=layout,
            )
            return Submission.Status.INVALID
        set_progress(submission.pk, 60, gettext_noop("Comparing with the published data"))
        diff = compute_diff(result.frame, source=submission.source, keys=result.keys)
        set_progress(submission.pk, 85, gettext_noop("Saving the normalised rows"))
        parquet = Path(tmp) / "normalised.parquet"
        result.write_parquet(parquet)
        with open(parquet, "rb") as handle:
            stored_name = default_storage.save(f"normalised/{uuid.uuid4().hex}.parquet", File(handle))
        with transaction.atomic():
            if not finish(
                submission.pk,
                status=Submission.Status.AWAITING_REVIEW,
                report=report,
                diff=diff,
                normalised_path=stored_name,
                row_count=len(result.frame),
                layout=layout,
            ):
                default_storage.delete(stored_name)  # superseded meanwhile (new file, withdrawn)
                return Submission.Status.VALIDATING
    return Submission.Status.AWAITING_REVIEW
