"""Who may open which outreach page: public pages for anyone, staff tools for staff only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import ContactRequest, Newsletter, NewsletterDelivery, NewsletterSubscription
from outreach.services import newsletter

pytestmark = pytest.mark.django_db
PUBLIC = [
    "outreach:newsletter",
    "outreach:subscribe_done",
    "outreach:support",
    "outreach:contact_done",
    "outreach:directory",
    "outreach:coverage",
]


@pytest.fixture
def objects():
    issue = newsletter.save_issue(newsletter=Newsletter(subject="S", body_markdown="b"))
    item = ContactRequest.objects.create(kind="press", name="P", email="p@example.org", message="m", consent_text="c")
    return issue, item


def _staff_requests(issue, item):
    return [
        ("get", reverse("outreach:inbox")),
        ("get", reverse("outreach:inbox_detail", args=[item.pk])),
        ("post", reverse("outreach:inbox_detail", args=[item.pk])),
        ("get", reverse("outreach:newsletters")),
        ("get", reverse("outreach:newsletter_new")),
        ("post", reverse("outreach:newsletter_new")),
        ("get", reverse("outreach:subscribers_csv")),
        ("get", reverse("outreach:newsletter_detail", args=[issue.pk])),
        ("get", reverse("outreach:newsletter_edit", args=[issue.pk])),
        ("post", reverse("outreach:newsletter_test", args=[issue.pk])),
        ("post", reverse("outreach:newsletter_send", args=[issue.pk])),
        ("post", reverse("outreach:newsletter_resume", args=[issue.pk])),
        ("get", reverse("outreach:newsletter_progress", args=[issue.pk])),
    ]


def test_public_pages_open_for_anonymous_visitors(client, reference_data):
    for name in PUBLIC:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("outreach:contact", args=["press"])).status_code == 200


def test_staff_tools_send_anonymous_visitors_to_sign_in(client, objects):
    for method, url in _staff_requests(*objects):
        response = getattr(client, method)(url, {"confirm": "yes"} if method == "post" else None)
        assert response.status_code == 302, url
        assert reverse("account_login") in response["Location"], url


@pytest.mark.parametrize("role", ["volunteer", "reviewer"])
def test_staff_tools_are_forbidden_to_volunteers_and_reviewers(client, make_user, objects, mailoutbox, role):
    NewsletterSubscription.objects.create(
        email="r@example.org", status="confirmed", consent_text="c", consented_at=timezone.now()
    )
    client.force_login(make_user(f"{role}@example.org", role=role))
    for method, url in _staff_requests(*objects):
        response = getattr(client, method)(url, {"confirm": "yes"} if method == "post" else None)
        assert response.status_code == 403, url
    assert Newsletter.objects.get().status == "draft"
    assert not NewsletterDelivery.objects.exists()
    assert mailoutbox == []


def test_staff_open_every_staff_tool(client, make_user, objects):
    client.force_login(make_user("staff@example.org", role="staff"))
    issue, item = objects
    for method, url in _staff_requests(issue, item):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_profile_newsletter_needs_a_signed_in_user(client):
    response = client.post(reverse("outreach:profile_newsletter"), {"action": "subscribe"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not NewsletterSubscription.objects.exists()
