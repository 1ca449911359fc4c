"""Fixtures for the tests of the API as a whole (permissions, throttling, schema): the dataset API's
client and small published dataset (tests/dataset/api/conftest.py)."""

from tests.dataset.api.conftest import client_api, small_dataset

__all__ = ["client_api", "small_dataset"]
