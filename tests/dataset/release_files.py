"""A release file's bytes as a reader downloads them: the CSV and .gz are served from their segments,
not from a whole file on disk (dataset/exports/release.py)."""

from django.test import Client
from django.urls import reverse

from dataset.models import Release


def downloaded(release: Release, name: str) -> bytes:
    response = Client().get(reverse("dataset:download_file", args=[release.number, name]))
    assert response.status_code == 200, (name, response.status_code)
    return response.getvalue()


TIDY = "covid19-open-data.csv"


def merged(frame, submitter, source, capture) -> Release:
    """`frame` merged as an approved submission, with the release's export task and its follow-up run."""
    from contributions.models import Submission
    from review import merge
    from tests.review.builders import make_submission

    submission = make_submission(submitter=submitter, source=source, frame=frame, status=Submission.Status.APPROVED)
    with capture(execute=True):  # the release's export task, as after any merge
        release = merge.run(submission_id=submission.pk)
    assert release is not None
    return release


def assert_same_as_from_scratch(release: Release, tmp_path, names=(TIDY, f"{TIDY}.gz")) -> None:
    """The release's files as downloaded are those `export_dataset --release N` writes from history, and the
    CSV's and .gz's recorded checksums (the follow-up's) are theirs."""
    from dataset.exports.release import rebuild_release

    folder = tmp_path / str(release.number)
    rebuilt = {name: now for name, now, _ in rebuild_release(release, folder)}
    for name in names:
        assert downloaded(release, name) == (folder / name).read_bytes(), name
    for name in (TIDY, f"{TIDY}.gz"):
        assert release.files.get(name=name).sha256 == rebuilt[name]  # the follow-up's checksum
