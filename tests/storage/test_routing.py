"""Files go through Django's storages: uploads, normalised frames and problem CSVs to the "default"
store, release files published to the "releases" store; a remote store (moto's S3, in this process)
leaves nothing on the web process's disk but rebuildable caches, and release downloads redirect to it."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from common.storage import local_copy, put, releases_storage, serve
from contributions.models import Submission
from dataset.exports.publish import download, downloadable, publish_release
from dataset.models import Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from sources.models import Source
from tests.dataset.jhu_data import early_file, import_jhu
from tests.sources.factories import SourceFactory

from .conftest import BUCKET, keys

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ITALY_FILE = ROOT / "tests" / "data" / "italy_pcm_dpc" / "dpc-covid19-ita-regioni-20200301.csv"
TIDY = "covid19-open-data.csv"


def test_a_local_store_hands_readers_the_stored_file_itself(settings):
    name = default_storage.save("normalised/frame.parquet", ContentFile(b"PAR1"))
    with local_copy(name) as path:
        assert path == Path(settings.MEDIA_ROOT) / name
        assert path.read_bytes() == b"PAR1"
    assert (Path(settings.MEDIA_ROOT) / name).exists()  # nothing removed


def test_a_remote_file_is_read_from_a_temporary_copy_removed_afterwards(s3):
    name = default_storage.save("normalised/frame.parquet", ContentFile(b"x" * 3_000_000))
    assert keys(s3) == [f"media/{name}"]
    with local_copy(name) as path:
        assert path.stat().st_size == 3_000_000
        assert path.read_bytes() == b"x" * 3_000_000
    assert not path.exists()
    assert not path.parent.exists()


def test_a_missing_stored_file_is_an_error_not_an_empty_file(s3, settings):
    with pytest.raises(FileNotFoundError), local_copy("normalised/gone.parquet"):
        pass
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with pytest.raises(FileNotFoundError), local_copy("normalised/gone.parquet"):
        pass


@pytest.mark.parametrize("store", ["local", "s3"])
def test_publishing_a_file_twice_replaces_it_under_the_same_name(store, request, tmp_path, settings):
    if store == "s3":
        request.getfixturevalue("s3")
    storage = releases_storage()
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    first.write_bytes(b"first\n")
    second.write_bytes(b"second version\n")
    assert put(first, "7/data.csv", storage=storage) == "7/data.csv"
    assert put(second, "7/data.csv", storage=storage) == "7/data.csv"
    with storage.open("7/data.csv", "rb") as handle:
        assert handle.read() == b"second version\n"
    assert storage.listdir("7")[1] == ["data.csv"]


def test_publishing_in_place_on_the_local_store_does_nothing(settings):
    folder = Path(settings.EXPORTS_ROOT) / "3"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_bytes(b"built here\n")
    assert put(folder / "data.csv", "3/data.csv", storage=releases_storage()) == "3/data.csv"
    assert (folder / "data.csv").read_bytes() == b"built here\n"


def test_a_local_file_is_streamed_and_a_remote_one_redirected_to_a_signed_link(s3, settings, tmp_path):
    local = FileSystemStorage(location=tmp_path)
    local.save("a.csv", ContentFile(b"a,b\n"))
    streamed = serve(local, "a.csv", filename="a.csv")
    assert streamed.streaming
    assert b"".join(streamed.streaming_content) == b"a,b\n"
    default_storage.save("problems/b.csv", ContentFile(b"a,b\n"))
    redirect = serve(default_storage, "problems/b.csv", filename="problems.csv")
    assert redirect.status_code == 302
    query = parse_qs(urlparse(redirect["Location"]).query)
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["600"]
    assert query["response-content-disposition"] == ['attachment; filename="problems.csv"']


def test_release_files_behind_a_public_domain_are_linked_without_a_signature(s3, settings, tmp_path):
    releases = settings.STORAGES["releases"]
    settings.STORAGES = {
        **settings.STORAGES,
        "releases": {
            **releases,
            "OPTIONS": {**releases["OPTIONS"], "custom_domain": "data.example.org", "querystring_auth": False},
        },
    }
    built = tmp_path / "covid19.parquet"
    built.write_bytes(b"PAR1")
    put(built, "4/covid19.parquet", storage=releases_storage())
    redirect = serve(releases_storage(), "4/covid19.parquet", filename="covid19.parquet")
    assert redirect["Location"].startswith("https://data.example.org/releases/4/covid19.parquet")
    assert "Signature" not in redirect["Location"]


# --- the flow through a remote store, tasks inline --------------------------------------------------


@pytest.fixture
def italy(reference_data):
    return SourceFactory(
        name="Protezione Civile",
        institution="Dipartimento della Protezione Civile",
        country_key="IT",
        institution_type=Source.InstitutionType.PUBLIC_HEALTH,
        url="https://github.com/pcm-dpc/COVID-19",
        licence="CC BY 4.0",
    )


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_upload_validation_merge_and_download_use_only_the_store(
    s3, settings, italy, make_user, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    volunteer = make_user("vol@example.org")
    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(volunteer).post(
            "/api/v1/submissions/",
            {"file": SimpleUploadedFile(ITALY_FILE.name, ITALY_FILE.read_bytes()), "source": italy.pk},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    stored = keys(s3, "media/")
    assert f"media/{submission.file.name}" in stored
    assert f"media/{submission.normalised_path}" in stored

    page = api_as(volunteer).get(f"/api/v1/submissions/{submission.pk}/")
    assert page.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        decision = api_as(reviewer).post(
            f"/api/v1/submissions/{submission.pk}/approve/",
            {"comment": "Matches the bulletin", "version": submission.version},
            format="json",
        )
    assert decision.status_code == 200, decision.content
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED, submission.merge_error
    release = Release.objects.get()
    files = dict(release.files.values_list("name", "sha256"))
    assert TIDY in files
    assert keys(s3, "releases/") == sorted(f"releases/{release.number}/{name}" for name in files)

    answer = APIClient().get(reverse("dataset:download_file", args=[release.number, TIDY]))
    assert answer.status_code == 302
    body = s3.get_object(Bucket=BUCKET, Key=f"releases/{release.number}/{TIDY}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == files[TIDY]
    tidy = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    lombardia = tidy[(tidy["location_key"] == "IT_25") & (tidy["metric"] == "confirmed")]
    assert lombardia["value"].astype(float).tolist() == [984.0]  # totale_casi on 1 March 2020
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()  # nothing of the flow on the web's disk


def test_an_unreachable_store_is_retried_not_blamed_on_the_file(s3, italy, make_user, monkeypatch):
    from botocore.exceptions import EndpointConnectionError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contributions import pipeline
    from contributions.tasks import validate_submission
    from review.tasks import merge_submission

    response = api_as(make_user("vol@example.org")).post(
        "/api/v1/submissions/",
        {"file": SimpleUploadedFile(ITALY_FILE.name, ITALY_FILE.read_bytes()), "source": italy.pk},
        format="multipart",
    )
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Submission.Status.VALIDATING

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="https://s3.example.org")

    monkeypatch.setattr(pipeline, "local_copy", unreachable)
    with pytest.raises(EndpointConnectionError):
        pipeline.run_validation(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VALIDATING  # not "invalid: we could not read this file"
    assert issubclass(EndpointConnectionError, validate_submission.autoretry_for)
    assert issubclass(EndpointConnectionError, merge_submission.autoretry_for)


def _change(django_capture_on_commit_callbacks, day: str, value: float) -> Release:
    frame = pd.DataFrame(
        {
            "location_id": [Location.objects.get(key="IT").pk],
            "metric_id": [Metric.objects.get(code="confirmed").pk],
            "date": [pd.Timestamp(day)],
            "value": [value],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = upsert_observations(frame, source=SourceFactory(), description=f"IT {day}")
    assert result.release is not None
    return result.release


def test_releases_that_retention_drops_leave_the_store_and_are_offered_on_demand(
    s3, settings, reference_data, django_capture_on_commit_callbacks
):
    settings.EXPORTS_KEEP_LAST, settings.EXPORTS_KEEP_EVERY = 2, 0  # the latest and the one before
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    first = Release.objects.get()
    assert keys(s3, f"releases/{first.number}/")
    second = _change(django_capture_on_commit_callbacks, "2020-03-01", 1.0)
    third = _change(django_capture_on_commit_callbacks, "2020-03-02", 2.0)
    assert keys(s3, f"releases/{first.number}/") == []
    assert keys(s3, f"releases/{second.number}/")  # the last one before the latest is kept
    assert keys(s3, f"releases/{third.number}/")
    old = first.files.get(name=TIDY)
    assert not downloadable(old, latest=third.number)
    assert downloadable(second.files.get(name=TIDY), latest=third.number)
    with pytest.raises(Exception, match="rebuilt on demand"):
        download(old)


def test_a_rebuilt_release_is_published_again(s3, settings, reference_data, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    settings.EXPORTS_KEEP_LAST, settings.EXPORTS_KEEP_EVERY = 1, 0
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    first = Release.objects.get()
    _change(django_capture_on_commit_callbacks, "2020-03-01", 1.0)
    _change(django_capture_on_commit_callbacks, "2020-03-02", 2.0)
    assert keys(s3, f"releases/{first.number}/") == []
    call_command("export_dataset", "--release", str(first.number), stdout=open(os.devnull, "w"))  # noqa: SIM115
    body = s3.get_object(Bucket=BUCKET, Key=f"releases/{first.number}/{TIDY}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == first.files.get(name=TIDY).sha256
    assert publish_release(first) == 0  # already there: nothing sent again


# --- settings ------------------------------------------------------------------------------------


def _settings_of(**env) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup();"
        "from django.conf import settings as s; d, r = s.STORAGES['default'], s.STORAGES['releases'];"
        "print(d['BACKEND'], r['BACKEND'], d.get('OPTIONS', {}).get('bucket_name'), "
        "d.get('OPTIONS', {}).get('endpoint_url'), r.get('OPTIONS', {}).get('querystring_expire'))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_the_environment_chooses_the_store():
    local = _settings_of()
    assert local.stdout.split() == [
        "django.core.files.storage.FileSystemStorage",
        "common.storage.ExportsStorage",
        "None",
        "None",
        "None",
    ], local.stderr
    remote = _settings_of(
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="covid-data",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_QUERYSTRING_EXPIRE="120",
    )
    assert remote.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "storages.backends.s3.S3Storage",
        "covid-data",
        "https://s3.example.org",
        "120",
    ], remote.stderr
    missing = _settings_of(STORAGE_BACKEND="s3")
    assert missing.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in missing.stderr
