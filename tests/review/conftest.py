"""Fixtures for moderation tests: people with roles and a data submission from Italy waiting for review."""

import pandas as pd
import pytest

from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

DATES = pd.date_range("2020-03-01", periods=5).strftime("%Y-%m-%d").tolist()


@pytest.fixture
def volunteer(make_user):
    return make_user("volunteer@example.org")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer-it@example.org", role="reviewer", countries=("IT",))


@pytest.fixture
def other_reviewer(make_user):
    return make_user("reviewer-it-2@example.org", role="reviewer", countries=("IT",))


@pytest.fixture
def german_reviewer(make_user):
    return make_user("reviewer-de@example.org", role="reviewer", countries=("DE",))


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role="staff", countries=())


@pytest.fixture
def italy_source(reference_data):
    return make_source(country="IT")


@pytest.fixture
def submission(volunteer, italy_source):
    return make_submission(
        submitter=volunteer,
        source=italy_source,
        frame=frame_for(["IT_21", "IT_25"], ["confirmed"], DATES),
    )
