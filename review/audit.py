"""The staff audit log: filtering the append-only ReviewAction rows and writing them as CSV."""

import csv

from common.querysets import filter_given
from common.spreadsheets import escape_formula

from .models import ReviewAction

CSV_HEADER = [
    "time",
    "submission",
    "country",
    "source",
    "action",
    "actor",
    "override_priority",
    "priority_decision",
    "comment",
]


def actions(*, action=None, actor=None, submission=None, country=None, since=None, until=None):
    rows = ReviewAction.objects.select_related("actor", "submission__country", "submission__source")
    rows = filter_given(
        rows,
        action=action,
        actor__email__icontains=actor,
        submission_id=submission,
        submission__country__key=country.upper() if country else None,
        created_at__date__gte=since,
        created_at__date__lte=until,
    )
    return rows.order_by("-created_at", "-pk")


def write_csv(rows, out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows.iterator(chunk_size=2000):
        submission = row.submission
        writer.writerow(
            [
                row.created_at.isoformat(),
                submission.pk,
                submission.country.key if submission.country else "",
                escape_formula(submission.source.name),
                row.action,
                escape_formula(row.actor.email if row.actor else ""),
                "yes" if row.override_priority else "no",
                row.priority_decision,
                escape_formula(row.comment),
            ]
        )
