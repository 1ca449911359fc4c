"""A release file's bytes as a reader downloads them: the CSV and .gz are served from their segments,
not from a whole file on disk (dataset/exports/release.py)."""

from django.test import Client
from django.urls import reverse

from dataset.models import Release


def downloaded(release: Release, name: str) -> bytes:
    response = Client().get(reverse("dataset:download_file", args=[release.number, name]))
    assert response.status_code == 200, (name, response.status_code)
    return response.getvalue()
