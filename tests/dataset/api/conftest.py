"""Fixtures for the dataset API tests: a client and a small published dataset."""

import pytest
from rest_framework.test import APIClient

from .builders import make_source, publish, series


@pytest.fixture
def client_api():
    return APIClient()


@pytest.fixture
def small_dataset(reference_data):
    """Italy, Lombardy (IT_25) and Germany in two releases; returns the sources and releases."""
    ministry = make_source("Ministry of Health", "IT")
    rki = make_source("Robert Koch Institute", "DE")
    first = publish(
        {
            **series("IT", "confirmed", "2020-03-01", [1694, 2036, 2502]),
            **series("IT", "deaths", "2020-03-01", [34, 52, 79]),
            **series("IT_25", "confirmed", "2020-03-01", [984, 1254, 1520]),
        },
        source=ministry,
    )
    second = publish(series("DE", "confirmed", "2020-03-01", [130, 159, 196]), source=rki)
    return {"ministry": ministry, "rki": rki, "releases": [first, second]}
