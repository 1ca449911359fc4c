"""The load test's steps inside the portal (run by bench/load.py with the portal's environment).

python bench/_load_portal.py accounts OUT.json VOLUNTEERS REVIEWERS   users, tokens and a source
python bench/_load_portal.py exports-ready                             exit 0 once release files exist
python bench/_load_portal.py idle                                      exit 0 once the queues are empty
python bench/_load_portal.py settled                                   exit 0 once no merge is pending
python bench/_load_portal.py check                                     approved uploads merged once?
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db.models import Count, Q  # noqa: E402

from accounts.second_factor import activate_totp  # noqa: E402
from accounts.services import api_token_for, countries_from_codes, create_verified_user  # noqa: E402
from contributions.models import Submission  # noqa: E402
from dataset.models import Release, ReleaseFile  # noqa: E402
from review.models import ReviewAction  # noqa: E402
from sources.models import Source  # noqa: E402

PASSWORD = "load-test-password-1"  # a throw-away database


def accounts(out: str, volunteers: int, reviewers: int) -> None:
    """Volunteers for Italy with API tokens, reviewers for Italy with a second factor and tokens, and the
    Italian ministry source their uploads name (approved, so its data can be approved)."""
    italy = countries_from_codes(["IT"])
    source, _ = Source.objects.get_or_create(
        url="https://load-test.example.org/it/daily.csv",
        defaults={
            "name": "Load test: Italian ministry daily file",
            "institution": "Ministero della Salute (load test)",
            "institution_type": Source.InstitutionType.MINISTRY,
            "country": italy[0],
            "status": Source.Status.APPROVED,
        },
    )
    made: dict[str, object] = {"source": source.pk, "volunteers": [], "reviewers": []}
    for n in range(volunteers):
        user, _ = create_verified_user(
            email=f"load-volunteer-{n}@example.org", password=PASSWORD, role="volunteer", countries=italy
        )
        made["volunteers"].append(api_token_for(user))  # type: ignore[attr-defined]
    for n in range(reviewers):
        user, _ = create_verified_user(
            email=f"load-reviewer-{n}@example.org", password=PASSWORD, role="reviewer", countries=italy
        )
        activate_totp(user)  # reviewers must have a second factor, the API included
        made["reviewers"].append(api_token_for(user))  # type: ignore[attr-defined]
    Path(out).write_text(json.dumps(made))


def exports_ready() -> int:
    return 0 if ReleaseFile.objects.exists() else 1


def idle() -> int:
    """0 when every queue of the broker is empty (the release's exports and cache warming are done)."""
    from portal.observability.state import queue_lengths

    waiting = {name: n for name, n in queue_lengths().items() if n}
    return 0 if not waiting and ReleaseFile.objects.exists() else 1


def settled() -> int:
    """0 when no approved upload waits for, or is in, its merge."""
    pending = Submission.objects.filter(status__in=[Submission.Status.APPROVED, Submission.Status.MERGING]).count()
    print(f"merges pending: {pending}")
    return 0 if pending == 0 else 1


def check() -> int:
    """Every approved data upload is in exactly one release and merged once; prints the counts as JSON."""
    approved = Submission.objects.filter(
        kind=Submission.Kind.DATA, actions__action=ReviewAction.Action.APPROVE
    ).distinct()
    counted = approved.annotate(
        n_releases=Count("releases", distinct=True),
        n_merges=Count("actions", filter=Q(actions__action=ReviewAction.Action.MERGE), distinct=True),
    )
    lost = [s.pk for s in counted if s.n_releases == 0 or s.status != Submission.Status.MERGED]
    duplicated = [s.pk for s in counted if s.n_releases > 1 or s.n_merges > 1]
    by_status = dict(Submission.objects.values_list("status").annotate(n=Count("pk")).order_by())
    result = {
        "approved": approved.count(),
        "merged_once": len([s for s in counted if s.n_releases == 1 and s.status == Submission.Status.MERGED]),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "lost_ids": lost[:20],
        "duplicated_ids": duplicated[:20],
        "submissions_by_status": by_status,
        "releases": Release.objects.count(),
    }
    print(json.dumps(result))
    return 0 if not lost and not duplicated else 1


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "accounts":
        accounts(rest[0], int(rest[1]), int(rest[2]))
    elif command == "exports-ready":
        sys.exit(exports_ready())
    elif command == "idle":
        sys.exit(idle())
    elif command == "settled":
        sys.exit(settled())
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"unknown command {command}")
