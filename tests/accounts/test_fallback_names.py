"""Someone who gave no name is "a volunteer" or "a reviewer": in the reader's language on pages and in
mail, in English in the API (the API is the same in every language)."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.contributions.factories import SubmissionFactory
from tests.contributions.test_api import token_client


@pytest.fixture
def nameless(make_user):
    user = make_user("anon@example.org", countries=("IT",))
    user.first_name = user.last_name = ""
    user.language = "fr"
    user.save(update_fields=["first_name", "last_name", "language"])
    user.profile.display_name = ""
    user.profile.save(update_fields=["display_name"])
    return user


@pytest.mark.django_db
def test_a_nameless_submitter_is_named_in_the_readers_language_on_the_page_and_in_english_in_the_api(client, nameless):
    submission = SubmissionFactory(submitter=nameless)
    client.force_login(nameless)

    page = client.get(reverse("contributions:detail", args=[submission.pk])).content.decode()
    answer = token_client(nameless).get(f"/api/v1/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "envoyé par un bénévole" in page
    assert "a volunteer" not in page
    assert answer.status_code == 200
    assert answer.json()["submitter"] == "a volunteer"


@pytest.mark.django_db
def test_the_fallback_name_follows_the_active_language_and_english_name_does_not(nameless, make_user):
    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    reviewer.first_name = reviewer.last_name = ""
    reviewer.save(update_fields=["first_name", "last_name"])
    reviewer.profile.display_name = ""
    reviewer.profile.save(update_fields=["display_name"])

    with translation.override("es"):
        assert (nameless.display_name, reviewer.display_name) == ("un voluntario", "un revisor")
        assert (nameless.english_name, reviewer.english_name) == ("a volunteer", "a reviewer")
    with translation.override("zh-hans"):
        assert nameless.display_name == "一位志愿者"
