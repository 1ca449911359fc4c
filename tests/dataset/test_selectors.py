"""Selectors shared by several apps: the latest release."""

import pytest

from dataset.models import Release
from dataset.selectors import latest_release, latest_release_number
from tests.dataset.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def test_before_the_first_release_there_is_no_latest_release():
    assert latest_release() is None
    assert latest_release_number() is None
    assert Release.next_number() == 1


def test_the_latest_release_is_the_one_with_the_highest_number_whatever_the_order_of_creation():
    ReleaseFactory(number=3, description="third")
    ReleaseFactory(number=1, description="first")
    assert latest_release().description == "third"
    assert latest_release_number() == 3
    assert Release.next_number() == 4
