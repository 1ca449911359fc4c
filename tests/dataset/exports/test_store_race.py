"""A follow-up (finishing.py) still listing its new Parquet and JHU files while a newer release's retention
runs in another process: retention waits for the store's lock (store_lock.py), so it sees them listed
and removes nothing the follow-up wrote."""

import threading
from pathlib import Path

from django.conf import settings

from dataset import tasks
from dataset.exports import finishing, manifests, retention, segments
from dataset.exports.schema import PARQUET_NAME
from dataset.models import Release
from tests.dataset.jhu_data import early_file, import_jhu


def test_retention_during_a_follow_up_keeps_its_new_files(
    reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "dispatch", lambda *args, **kwargs: None)  # the follow-up is run below, by hand
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    release = Release.objects.latest("number")
    root = Path(settings.EXPORTS_ROOT)
    assert manifests.read_manifest(root, release.number)["finished"] is False
    newer = Release(number=release.number + 1)  # a newer release's build, in another worker process
    others: list[threading.Thread] = []
    write = manifests.write_raw

    def write_after_a_newer_retention(*args, **kwargs):
        if not others:  # the follow-up has stored and linked its files and is about to list them
            others.append(threading.Thread(target=retention.apply_retention, args=(root,), kwargs={"latest": newer}))
            others[0].start()
            others[0].join(timeout=1)  # waits on the store's lock: the follow-up goes on
        write(*args, **kwargs)

    monkeypatch.setattr(manifests, "write_raw", write_after_a_newer_retention)
    assert finishing.write_remaining_files(release) > 0
    others[0].join()
    manifest = manifests.read_manifest(root, release.number)
    assert manifest["finished"] is True
    assert PARQUET_NAME in manifest["blobs"]
    for name, sha in manifest["blobs"].items():
        stored = segments.blob_path(root, sha)
        assert stored.is_file() or stored.with_suffix(".gz").is_file(), name
    assert (root / str(release.number) / PARQUET_NAME).is_file()
