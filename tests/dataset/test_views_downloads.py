"""The downloads page, the download links and the data dictionary."""

import pytest
from django.urls import reverse

from dataset.exports.schema import JHU_DICTIONARY, PARQUET_DICTIONARY, TIDY_DICTIONARY
from dataset.models import Observation
from places.models import Metric
from tests.dataset.page_data import make_release

pytestmark = pytest.mark.django_db


# --- downloads --------------------------------------------------------------------------------


def write_export(settings, release, name, content: bytes, fmt="tidy"):
    import hashlib

    from dataset.models import ReleaseFile

    folder = settings.EXPORTS_ROOT / f"release-{release.number}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return ReleaseFile.objects.create(
        release=release,
        format=fmt,
        name=name,
        path=f"release-{release.number}/{name}",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def test_downloads_lists_latest_files_with_size_and_sha256_and_earlier_changelogs(client, reference_data, settings):
    first = make_release(1, description="JHU import", changelog="First import of JHU's final series.")
    write_export(settings, first, "tidy.csv", b"old\n")
    second = make_release(2, description="Italy upload", changelog="Italy: 12 values corrected.", values_changed=12)
    tidy = write_export(settings, second, "tidy.csv", b"date,location_key\n2020-03-09,IT\n")
    write_export(settings, second, "covid19.parquet", b"PAR1", fmt="parquet")

    html = client.get(reverse("dataset:downloads")).content.decode()
    current = html.split('id="current-heading"', 1)[1].split("Earlier releases", 1)[0]
    assert "Release 2" in current
    assert tidy.sha256 in current
    assert "covid19.parquet" in current
    assert f'title="{tidy.size} bytes"' in current
    assert 'href="/data/downloads/2/tidy.csv"' in current
    assert "Parquet: the tidy table with typed columns" in current
    earlier = html.split("Earlier releases", 1)[1]
    assert "Release 1" in earlier
    assert "First import of JHU&#x27;s final series." in earlier
    assert 'href="/data/downloads/1/tidy.csv"' in earlier


def test_a_checksum_being_computed_is_said_so_and_the_file_is_still_linked(client, reference_data, settings):
    release = make_release(1)
    tidy = write_export(settings, release, "tidy.csv", b"date\n")
    tidy.sha256 = ""  # the follow-up task (dataset.tasks.finish_exports) has not recorded it yet
    tidy.save()
    html = client.get(reverse("dataset:downloads")).content.decode()
    current = html.split('id="current-heading"', 1)[1].split("Earlier releases", 1)[0]
    assert "Checksum being computed" in current
    assert 'href="/data/downloads/1/tidy.csv"' in current
    assert '<code class="sha"></code>' not in current


def test_the_parquet_and_jhu_files_being_written_are_announced_not_linked(client, reference_data, settings):
    release = make_release(1)
    write_export(settings, release, "covid19-open-data.csv", b"date\n", fmt="csv")
    html = client.get(reverse("dataset:downloads")).content.decode()
    assert "The Parquet file and the files in JHU" in html
    assert ".parquet" not in html
    write_export(settings, release, "covid19-open-data.parquet", b"PAR1", fmt="parquet")
    html = client.get(reverse("dataset:downloads")).content.decode()
    assert "The Parquet file and the files in JHU" not in html
    assert 'href="/data/downloads/1/covid19-open-data.parquet"' in html


def test_downloads_while_latest_exports_are_building_offers_the_previous_files(client, reference_data, settings):
    first = make_release(1)
    write_export(settings, first, "tidy.csv", b"x\n")
    make_release(2, changelog="Germany: first official upload.")
    make_release(3, changelog="Spain: corrections.")
    html = client.get(reverse("dataset:downloads")).content.decode()
    latest = html.split('id="current-heading"', 1)[1].split("Earlier releases", 1)[0]
    assert "Release 3" in latest
    assert "Spain: corrections." in latest
    assert "files of release 3 are being built" in latest
    assert 'href="/data/downloads/1/tidy.csv"' in latest
    earlier = html.split("Earlier releases", 1)[1]
    assert "Release 2" in earlier
    assert "Germany: first official upload." in earlier
    assert "Release 1" in earlier


def test_downloads_without_any_release(client, reference_data):
    response = client.get(reverse("dataset:downloads"))
    assert response.status_code == 200
    assert "No release yet" in response.content.decode()


def test_download_link_streams_the_file(client, reference_data, settings):
    release = make_release(1)
    content = b"date,location_key,location_name,metric,value,source\n" * 1000
    write_export(settings, release, "tidy.csv", content)
    response = client.get("/data/downloads/1/tidy.csv")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="tidy.csv"'


def test_download_refuses_a_path_outside_the_exports_folder(client, reference_data, settings, tmp_path):
    from dataset.models import ReleaseFile

    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    release = make_release(1)
    settings.EXPORTS_ROOT.mkdir(parents=True)
    ReleaseFile.objects.create(
        release=release, format="tidy", name="evil.csv", path="../../secret.txt", size=1, sha256="0" * 64
    )
    ReleaseFile.objects.create(
        release=release, format="tidy", name="abs.csv", path=str(secret), size=1, sha256="0" * 64
    )
    assert client.get("/data/downloads/1/evil.csv").status_code == 404
    assert client.get("/data/downloads/1/abs.csv").status_code == 404
    assert client.get("/data/downloads/1/..%2F..%2Fsecret.txt").status_code == 404
    assert client.get("/data/downloads/9/tidy.csv").status_code == 404


# --- data dictionary --------------------------------------------------------------------------


def test_dictionary_defines_every_metric_and_every_export_column(client, reference_data):
    Metric.objects.create(code="ventilators", name="On ventilators", kind="current", description="Patients on one.")
    html = client.get(reverse("dataset:dictionary")).content.decode()
    for metric in Metric.objects.all():
        assert f'id="metric-{metric.code}"' in html
        assert metric.description.replace("'", "&#x27;") in html
    for columns in (TIDY_DICTIONARY, JHU_DICTIONARY, PARQUET_DICTIONARY):
        for name, _type, _definition in columns:
            assert f"<code>{name}</code>" in html


def test_dictionary_without_metrics_renders(client, db):
    Observation.objects.all().delete()
    Metric.objects.all().delete()
    response = client.get(reverse("dataset:dictionary"))
    assert response.status_code == 200
    assert "No metric is defined yet" in response.content.decode()
