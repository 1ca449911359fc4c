"""Backup and restore, rehearsed (docs/deployment.md): dump a portal with two releases and their files,
restore it into a new database and an empty file store, and the restored portal serves the same release
files (same SHA-256) and the same API answers."""

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from contributions.models import Submission
from dataset.models import Release, ReleaseFile
from review import merge
from tests.dataset.jhu_data import early_file, import_jhu
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

API = [
    "/api/v1/releases/",
    "/api/v1/releases/1/",
    "/api/v1/releases/2/",
    "/api/v1/metrics/",
    "/api/v1/sources/",
    "/api/v1/locations/IT/",
    "/api/v1/locations/?level=region&search=Lombardia",
    "/api/v1/observations/?location=IT,DE,US&metric=confirmed",
    "/api/v1/observations/?location=IT&metric=confirmed&as_of=1",
    "/api/v1/observations/?location=IT_25&include_subregions=1&metric=confirmed",
]


@pytest.fixture
def two_releases(reference_data, make_user):
    """Release 1: JHU's early confirmed series imported with its exports; release 2: an approved upload of
    three Italian regions merged by the merge task's code path, its exports built after commit."""
    import_jhu(early_file("confirmed"), extra=())
    volunteer = make_user("vol@example.org")
    keys = ["IT_25", "IT_34", "IT_52"]
    dates = pd.date_range("2020-03-01", periods=20).strftime("%Y-%m-%d").tolist()
    frame = frame_for(keys, ["confirmed", "deaths"], dates, value=lambda i: 100 + i)
    submission = make_submission(
        submitter=volunteer,
        source=make_source(country="IT"),
        frame=frame,
        status=Submission.Status.APPROVED,
        approved_at=timezone.now(),
    )
    assert merge.run(submission_id=submission.pk) is not None
    assert list(Release.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    return submission


def served(client: Client) -> dict:
    """What a user gets from the portal: every release file's SHA-256 as downloaded, and the API's JSON."""
    cache.clear()  # answers are cached per release: ask the database, not the cache
    files = {}
    for number, name in ReleaseFile.objects.values_list("release__number", "name"):
        response = client.get(f"/data/downloads/{number}/{name}")
        assert response.status_code == 200, (number, name)
        body = b"".join(response.streaming_content) if response.streaming else response.content  # CITATION.cff is made
        files[(number, name)] = hashlib.sha256(body).hexdigest()
    answers = {}
    for url in API:
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, (url, response.content[:300])
        answers[url] = json.loads(response.content)
    return {"files": files, "api": answers}


def drop_database(name: str) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_name():
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    drop_database(name)
    yield name
    drop_database(name)


def test_a_restored_backup_serves_the_same_releases_and_api_answers(two_releases, restored_name, tmp_path, settings):
    client = Client()
    before = served(client)
    recorded = {
        (number, name): sha
        for number, name, sha in ReleaseFile.objects.values_list("release__number", "name", "sha256")
    }
    assert len(before["files"]) >= 8
    assert {number for number, _ in before["files"]} == {1, 2}
    assert before["files"] == recorded  # what is served is what each release published
    assert before["api"]["/api/v1/observations/?location=IT,DE,US&metric=confirmed"]["results"]

    backup_dir = tmp_path / "backup"
    call_command("backup_portal", str(backup_dir))
    assert (backup_dir / "database.dump").stat().st_size > 0

    # The original store is gone (a lost disk): only the backup can answer from here on.
    original_media = Path(settings.MEDIA_ROOT)
    shutil.rmtree(original_media)
    new_media = tmp_path / "restored-media"
    call_command("restore_portal", str(backup_dir), database=restored_name, media_root=str(new_media))

    original_name = connection.settings_dict["NAME"]
    settings.MEDIA_ROOT = new_media
    settings.EXPORTS_ROOT = new_media / "exports"
    connection.close()
    connection.settings_dict["NAME"] = restored_name
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == restored_name
        call_command("migrate", "--check", verbosity=0)  # the schema came back whole, nothing to apply
        after = served(client)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original_name
    assert not original_media.exists()
    assert after["files"] == before["files"]
    assert after["api"] == before["api"]


def test_a_restore_refuses_an_existing_database_or_a_store_with_files(reference_data, tmp_path):
    backup_dir = tmp_path / "backup"
    call_command("backup_portal", str(backup_dir))
    with pytest.raises(CommandError, match="already exists"):
        call_command("restore_portal", str(backup_dir), media_root=str(tmp_path / "empty"))
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("kept")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_portal", str(backup_dir), database="never_created", media_root=str(occupied))
    assert (occupied / "something").read_text() == "kept"
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_portal", str(backup_dir))
