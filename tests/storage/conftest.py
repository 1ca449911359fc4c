"""An S3-compatible store for the storage tests: moto in this process (fast tests), or moto's real
HTTP server on a free port (the worker test), with the settings that route every file to it."""

import pytest

BUCKET = "portal-test"
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def s3_storages(endpoint_url: str | None = None) -> dict:
    """The STORAGES that portal/settings.py builds with STORAGE_BACKEND=s3, for this bucket."""
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint_url,
        "region_name": REGION,
        "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_expire": 600,
        "max_memory_size": 1024 * 1024,
        "default_acl": None,
    }
    s3 = "storages.backends.s3.S3Storage"
    return {
        "default": {"BACKEND": s3, "OPTIONS": {**options, "location": "media", "file_overwrite": False}},
        "releases": {"BACKEND": s3, "OPTIONS": {**options, "location": "releases", "file_overwrite": True}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def keys(client, prefix: str = "") -> list[str]:
    """Every object name in the bucket under `prefix`."""
    names = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        names += [entry["Key"] for entry in page.get("Contents", [])]
    return sorted(names)


@pytest.fixture
def s3(settings, monkeypatch):
    """Every stored file goes to a bucket of moto's S3, in this process; yields a boto3 client on it."""
    import boto3
    from moto import mock_aws

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = s3_storages()
        yield client
