"""A journey through the web pages, as a volunteer and a reviewer click it (Django test client; tasks
run inline, and on-commit callbacks are run by the caller's `run_on_commit`)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contributions.models import Submission
from tests.contributions.mapping_answers import form_answers

from .journeys import Choices, Journey

RunOnCommit = Callable[[], AbstractContextManager]


@dataclass
class Walked:
    """What the volunteer saw on the way."""

    submission: Submission
    pages: list[str] = field(default_factory=list)  # "upload", "mapping"
    seconds: float = 0.0  # the last request that checked the file (upload or mapping), validation included


def changes_for(form, choices: Choices) -> dict:
    """The fields a volunteer changes on the mapping page for these choices. A choice the page does
    not offer fails here, with what was missing."""
    changes: dict = {}
    columns = [column for column, _ in form.columns]
    for column, role in choices.roles.items():
        assert column in columns, f"the mapping page lists no column {column!r} (it lists {columns})"
        changes[f"column_{columns.index(column)}"] = role
    if choices.sheets is not None:
        assert "sheets" in form.fields, "the mapping page offers no choice of sheets"
        offered = [name for name, _ in form.fields["sheets"].choices]
        assert set(choices.sheets) <= set(offered), f"the page offers the sheets {offered}"
        changes["sheets"] = choices.sheets
    filters = [column for column, _ in form.filters]
    for column, values in choices.keep_rows.items():
        assert column in filters, f"the mapping page offers no row filter on {column!r} (only on {filters})"
        offered = dict(form.filters)[column]
        assert set(values) <= set(offered), f"the filter on {column!r} offers {offered}"
        changes[f"keep_{filters.index(column)}"] = values
    texts = [place.text for place in form.places]
    for text, key in choices.places.items():
        assert text in texts, f"the mapping page does not ask about “{text}” (it asks about {texts})"
        index = texts.index(text)
        offered = [value for value, _ in form.fields[f"place_{index}"].choices]
        if key in offered:
            changes[f"place_{index}"] = key
        else:
            changes.update({f"place_{index}": "other", f"place_{index}_key": key})
    if choices.metric:
        changes["metric"] = choices.metric
    if choices.location:
        changes["location"] = choices.location
    return changes


def mapping_link(page: str) -> str | None:
    found = re.search(r'href="(/[^"]*/mapping/)"', page)
    return found.group(1) if found else None


def upload_and_map(client: Client, journey: Journey, source, run_on_commit: RunOnCommit) -> Walked:
    """The volunteer (signed in on `client`) uploads the file, follows to the submission page and,
    when the journey needs it, answers the mapping page once."""
    page = client.get(reverse("contributions:upload"))
    assert page.status_code == 200
    started = time.perf_counter()
    with run_on_commit():
        response = client.post(
            reverse("contributions:upload"),
            {
                "source": source.pk,
                "file": SimpleUploadedFile(journey.filename, journey.path.read_bytes()),
                "comment": f"{journey.filename}, as published (tests/data/SOURCES.md)",
            },
        )
    walked = Walked(submission=Submission.objects.latest("pk"), pages=["upload"])
    walked.seconds = time.perf_counter() - started
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    if journey.choices is None:
        walked.submission.refresh_from_db()
        return walked
    link = mapping_link(detail.content.decode())
    assert link, (
        f"the submission page ({walked.submission.get_status_display()}) offers no link to the mapping page, "
        f"which the file needs; problems: {problem_summary(walked.submission)}"
    )
    shown = client.get(link)
    assert shown.status_code == 200
    form = shown.context["form"]
    started = time.perf_counter()
    with run_on_commit():
        response = client.post(link, form_answers(form, changes_for(form, journey.choices)))
    walked.seconds = time.perf_counter() - started
    walked.pages.append("mapping")
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert client.get(response["Location"]).status_code == 200
    walked.submission.refresh_from_db()
    return walked


def approve(client: Client, submission: Submission, run_on_commit: RunOnCommit) -> None:
    """The reviewer (signed in on `client`) opens the review page and approves what it shows."""
    page = client.get(reverse("review:detail", args=[submission.pk]))
    assert page.status_code == 200
    version = page.context["decision_form"]["version"].value()
    with run_on_commit():
        response = client.post(
            reverse("review:decide", args=[submission.pk]),
            {"decision": "approve", "comment": "Checked against the publisher's file.", "version": version},
        )
    assert response.status_code == 302
    submission.refresh_from_db()


def problem_summary(submission: Submission) -> str:
    """The report's problem codes with their counts and the first message of each, for a failure."""
    report = submission.report or {}
    firsts: dict[str, str] = {}
    for entry in report.get("problems") or []:
        firsts.setdefault(entry["code"], f"{entry['severity']}: {entry['message'][:200]}")
    return "; ".join(f"{code} ×{report['counts'].get(code, '?')} ({first})" for code, first in firsts.items())
