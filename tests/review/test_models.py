"""The audit log is append-only: not through the ORM, not through the admin."""

import pytest
from django.urls import reverse

from review import services
from review.models import AppendOnlyError, ReviewAction

pytestmark = pytest.mark.django_db


def test_review_actions_cannot_be_changed_or_deleted(submission, reviewer):
    action = services.claim(submission=submission, reviewer=reviewer)
    action.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        action.save()
    with pytest.raises(AppendOnlyError):
        action.delete()
    with pytest.raises(AppendOnlyError):
        ReviewAction.objects.filter(pk=action.pk).update(comment="x")
    with pytest.raises(AppendOnlyError):
        ReviewAction.objects.all().delete()


def test_admin_shows_actions_read_only(client, submission, reviewer, make_user):
    admin = make_user("admin@example.org", role="staff")
    admin.is_superuser = True
    admin.save()
    action = services.claim(submission=submission, reviewer=reviewer)
    client.force_login(admin)
    change_url = reverse("admin:review_reviewaction_change", args=[action.pk])
    assert client.get(change_url).status_code == 200
    client.post(change_url, {"comment": "rewritten"})
    delete_url = reverse("admin:review_reviewaction_delete", args=[action.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    action.refresh_from_db()
    assert action.comment != "rewritten"
