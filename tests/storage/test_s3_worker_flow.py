"""Upload → validation → approval → merge → download against a real S3 API server (moto's server mode,
on a free port of this machine), with a real Celery worker whose MEDIA_ROOT and EXPORTS_ROOT are other
folders than this (web) process's: every file the two exchange has to go through the store.

Needs PostgreSQL and Redis (a worker); skips without them, fails with REQUIRE_SERVICES=1.
"""

import hashlib
import io
import socket
import time
from pathlib import Path

import boto3
import pandas as pd
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Submission
from dataset.exports import manifests
from dataset.models import Release
from sources.models import Source
from tests.conftest import WorkerHandle
from tests.sources.factories import SourceFactory

from .conftest import BUCKET, CREDENTIALS, REGION, keys, s3_storages

ROOT = Path(__file__).resolve().parents[2]
ITALY_FILE = ROOT / "tests" / "data" / "italy_pcm_dpc" / "dpc-covid19-ita-regioni-20200301.csv"
TIDY = "covid19-open-data.csv"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on 127.0.0.1 with the bucket made; yields its address."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def s3_worker(celery_worker_session, transactional_db, s3_server, tmp_path_factory):
    """A worker configured like a production one on another host: STORAGE_BACKEND=s3, its own folders.

    The session's worker (shared disk) is stopped meanwhile, so that no task can reach it; the next
    test that needs it starts it again (celery_worker_process.ensure_running)."""
    celery_worker_session.stop()
    env = {
        **celery_worker_session.env,
        **CREDENTIALS,
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("s3-worker-media")),
        "EXPORTS_ROOT": str(tmp_path_factory.mktemp("s3-worker-exports")),
    }
    handle = WorkerHandle(env=env, mail_dir=celery_worker_session.mail_dir)
    handle.start()
    yield handle
    handle.wait_idle()
    handle.stop()


def wait_for(predicate, what: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(submission: Submission) -> str:
    submission.refresh_from_db()
    return submission.status


def test_files_pass_between_web_and_worker_only_through_the_store(s3_worker, s3_server, settings, make_user, tmp_path):
    settings.STORAGES = s3_storages(s3_server)
    settings.MEDIA_ROOT = tmp_path / "web-media"  # the worker's folders are elsewhere
    settings.EXPORTS_ROOT = tmp_path / "web-exports"
    store = client(s3_server)
    italy = SourceFactory(
        name="Protezione Civile",
        institution="Dipartimento della Protezione Civile",
        country_key="IT",
        institution_type=Source.InstitutionType.PUBLIC_HEALTH,
        url="https://github.com/pcm-dpc/COVID-19",
        licence="CC BY 4.0",
    )
    volunteer = make_user("vol.s3@example.org")
    reviewer = make_user("rev.s3@example.org", role="reviewer", countries=("IT",))
    as_volunteer, as_reviewer = APIClient(), APIClient()
    as_volunteer.force_authenticate(volunteer)
    as_reviewer.force_authenticate(reviewer)

    # The volunteer uploads; the worker validates the file it reads from the store.
    response = as_volunteer.post(
        "/api/v1/submissions/",
        {"file": SimpleUploadedFile(ITALY_FILE.name, ITALY_FILE.read_bytes()), "source": italy.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    wait_for(lambda: status_of(submission) not in {"draft", "validating"}, "the validation")
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert f"media/{submission.normalised_path}" in keys(store, "media/normalised/")
    # Its page previews the normalised rows, which this process reads back from the store.
    page = Client()
    page.force_login(volunteer)
    html = page.get(submission.get_absolute_url()).content.decode()
    assert "<td>IT_" in html
    assert "<td>2020-03-01</td>" in html

    # The reviewer approves; the worker merges, builds the release's files and publishes them.
    decision = as_reviewer.post(
        f"/api/v1/submissions/{submission.pk}/approve/",
        {"comment": "Matches the bulletin of 1 March 2020", "version": submission.version},
        format="json",
    )
    assert decision.status_code == 200, decision.content
    wait_for(lambda: status_of(submission) in {"merged", "merge_failed"}, "the merge")
    assert submission.status == Submission.Status.MERGED, submission.merge_error
    release = Release.objects.get(submissions=submission)
    # Its files are recorded one by one, then the release is marked built: only then are they all known.
    wait_for(lambda: Release.objects.filter(pk=release.pk, exports_built_at__isnull=False).exists(), "the exports")
    # The CSV's checksums are recorded by the follow-up task (dataset.tasks.finish_exports), a little later.
    wait_for(lambda: not release.files.filter(sha256="").exists(), "the checksums")
    recorded = dict(release.files.values_list("name", "sha256"))
    expected = sorted(f"releases/{release.number}/{name}" for name in recorded)
    wait_for(lambda: keys(store, "releases/") == expected, "the release's files in the store")

    # A reader downloads the CSV: a redirect to a signed link of the store, which serves the release.
    answer = APIClient().get(reverse("dataset:download_file", args=[release.number, TIDY]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{s3_server}/{BUCKET}/releases/{release.number}/{TIDY}?")
    fetched = requests.get(answer["Location"], timeout=30)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == recorded[TIDY]
    tidy = pd.read_csv(io.BytesIO(fetched.content), dtype=str, keep_default_na=False)
    lombardia = tidy[(tidy["location_key"] == "IT_25") & (tidy["metric"] == "confirmed")]
    assert lombardia["value"].astype(float).tolist() == [984.0]

    # Nothing went through a disk: the web process wrote no file, the worker built the exports in its own.
    assert not Path(settings.MEDIA_ROOT).exists()
    assert not Path(settings.EXPORTS_ROOT).exists()
    # The worker keeps the CSV as segments listed by the release's manifest (dataset/exports/manifests.py).
    assert manifests.manifest_path(Path(s3_worker.env["EXPORTS_ROOT"]), release.number).is_file()
