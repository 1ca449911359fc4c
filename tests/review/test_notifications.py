"""Emails: the submitter hears about every decision and the merge; reviewers who opt in get a digest."""

import pytest
from django.utils import timezone

from review import notifications, services
from review.models import ReviewerPreference

pytestmark = pytest.mark.django_db


def test_submitter_gets_approval_and_merge_emails(submission, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(submission=submission, reviewer=reviewer, comment="Thanks, matches the bulletin")
    subjects = [m.subject for m in mailoutbox if m.to == [submission.submitter.email]]
    assert any("was approved" in s for s in subjects)
    assert any("is now in the dataset" in s for s in subjects)
    approval = next(m for m in mailoutbox if "approved" in m.subject)
    assert "matches the bulletin" in approval.body


def test_rejection_email_carries_the_comment(submission, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(submission=submission, reviewer=reviewer, comment="These are provincial, not regional figures")
    assert len(mailoutbox) == 1
    assert "rejected" in mailoutbox[0].subject
    assert "provincial, not regional" in mailoutbox[0].body


def test_changes_requested_email_says_what_to_change(
    submission, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(submission=submission, reviewer=reviewer, comment="Map 'tamponi' to tests")
    assert "Changes requested" in mailoutbox[0].subject
    assert "Map 'tamponi' to tests" in mailoutbox[0].body


def test_digest_goes_only_to_reviewers_who_opted_in_with_new_submissions_in_scope(
    submission, reviewer, other_reviewer, german_reviewer, mailoutbox
):
    ReviewerPreference.objects.create(user=reviewer, daily_digest=True)
    ReviewerPreference.objects.create(user=german_reviewer, daily_digest=True)
    ReviewerPreference.objects.create(user=other_reviewer, daily_digest=False)
    assert notifications.send_digests() == 1
    assert mailoutbox[0].to == [reviewer.email]
    assert f"#{submission.pk}" in mailoutbox[0].body


def test_digest_does_not_repeat_submissions_already_sent(submission, reviewer, mailoutbox):
    ReviewerPreference.objects.create(user=reviewer, daily_digest=True)
    notifications.send_digests()
    assert notifications.send_digests(now=timezone.now() + timezone.timedelta(days=1)) == 0
    assert len(mailoutbox) == 1


def test_digest_task_is_the_scheduled_one(settings):
    from review.tasks import send_reviewer_digests

    assert settings.CELERY_BEAT_SCHEDULE["reviewer-digest"]["task"] == send_reviewer_digests.name


def _has_spanish_catalogue() -> bool:
    from django.utils import translation

    with translation.override("es"):
        return translation.gettext("Your submission #%(pk)s was approved") != "Your submission #%(pk)s was approved"


def test_decision_emails_are_in_each_recipients_language(
    submission, reviewer, mailoutbox, django_capture_on_commit_callbacks, settings
):
    if not _has_spanish_catalogue():
        pytest.skip("needs the compiled catalogues (locale/, built by `make messages`)")
    submission.submitter.language = "es"
    submission.submitter.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(submission=submission, reviewer=reviewer, comment="Gracias")
    subjects = [m.subject for m in mailoutbox if m.to == [submission.submitter.email]]
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    assert f"{prefix}Su envío n.º {submission.pk} ha sido aprobado" in subjects
    assert all("approved" not in subject for subject in subjects)


def test_decision_emails_stay_in_english_for_an_english_reader(
    submission, reviewer, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from django.utils import translation

    submission.submitter.language = "en"
    submission.submitter.save(update_fields=["language"])
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):  # the reviewer reads Spanish
        services.reject(submission=submission, reviewer=reviewer, comment="Wrong region")
    assert (
        mailoutbox[0].subject == f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your submission #{submission.pk} was rejected"
    )
