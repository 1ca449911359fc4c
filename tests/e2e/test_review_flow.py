"""In a real browser, end to end: sign up, upload Italy's regional file, a reviewer approves, the worker merges.

Runs with the real worker (Redis and PostgreSQL): validation and merge happen in the worker, the
approval email is sent by it (read from the worker's mail folder).
"""

import re
import time

import pytest

from contributions.models import Submission
from sources.models import Source
from tests.e2e.signing_in import sign_in_with_second_factor
from tests.sources.factories import SourceFactory

PASSWORD = "a-Long-passphrase-2020"
VOLUNTEER = "italy.volunteer@example.org"
ITALY_FILE = "italy_pcm_dpc/dpc-covid19-ita-regioni-20200301.csv"


def wait_for(submission, status, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.status == status:
            return submission
        time.sleep(0.5)
    raise AssertionError(f"submission is {submission.status}, expected {status}: {submission.merge_error}")


def mail_to(worker, mailoutbox, address) -> str:
    """Every email to `address`, from the worker's mail folder and this process's outbox."""
    messages = worker.sent_mail().replace("=\n", "").split("-" * 79)
    mine = [m for m in messages if f"To: {address}" in m]
    mine += [m.body for m in mailoutbox if address in m.to]
    return "\n".join(mine)


def confirmation_link(worker, mailoutbox, timeout=60) -> str:
    """The address confirmation link, from whichever process sent the email (the worker, usually)."""
    pattern = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s/]+/)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.search(mail_to(worker, mailoutbox, VOLUNTEER))
        if found:
            return found.group(1)
        time.sleep(0.5)
    raise AssertionError("no confirmation email arrived")


def number(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_volunteer_upload_reviewer_approval_worker_merge_and_email(
    live_server, browser, celery_worker_process, settings, make_user, mailoutbox, test_data, screenshot
):
    settings.MEDIA_ROOT = celery_worker_process.env["MEDIA_ROOT"]  # the worker reads what the site stores
    source = SourceFactory(
        name="Protezione Civile",
        institution="Dipartimento della Protezione Civile",
        country_key="IT",
        institution_type=Source.InstitutionType.PUBLIC_HEALTH,
        url="https://github.com/pcm-dpc/COVID-19",
        licence="CC BY 4.0",
    )
    make_user("reviewer.italy@example.org", role="reviewer", countries=("IT",), password=PASSWORD)

    # The volunteer signs up, confirms the email, says they cover Italy.
    volunteer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = volunteer_context.new_page()
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", VOLUNTEER)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]", has_text="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = confirmation_link(celery_worker_process, mailoutbox)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/volunteers/welcome/"))
    page.select_option("select[name=primary_country]", label="Italy (IT)")
    page.check("input[name=skills][value=data_analysis]")
    page.get_by_role("button", name="Save my profile").click()
    page.wait_for_url(re.compile(r"/my-countries/"))

    # Their next steps offer the upload for Italy's approved source; the worker validates the file.
    page.get_by_role("link", name="Upload data for Italy").click()
    page.wait_for_url(re.compile(r"/submissions/new/"))
    page.select_option("select[name=source]", value=str(source.pk))
    page.set_input_files("input[name=file]", str(test_data / ITALY_FILE))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector("[data-status=awaiting_review]", timeout=120_000)
    screenshot(page, "review-flow-1-uploaded")
    submission = Submission.objects.get()
    volunteer_context.close()

    # A reviewer with Italy in scope finds it in the queue, claims it and approves it.
    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = reviewer_context.new_page()
    page.set_default_timeout(30_000)
    sign_in_with_second_factor(page, live_server, "reviewer.italy@example.org", PASSWORD)
    page.goto(live_server.url + "/review/")
    screenshot(page, "review-flow-2-queue")
    page.locator("#review-queue").get_by_role("link", name=f"#{submission.pk}").click()
    page.get_by_role("button", name="Claim").click()
    assert "You hold this submission" in page.content()
    if page.locator("#diff-charts canvas").count():
        page.wait_for_selector("#diff-charts canvas")
    screenshot(page, "review-flow-3-review-page")
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=comment]", "Matches the Protezione Civile bulletin of 1 March 2020.")
    page.get_by_role("button", name="Submit decision").click()
    assert "Approved" in page.content()

    # The worker merges it; the reviewer sees it merged, with its release.
    wait_for(submission, Submission.Status.MERGED)
    page.reload()
    assert page.locator("#submission-status").inner_text() == "Merged"
    screenshot(page, "review-flow-4-merged")

    # Italy's data show the new values and where they come from.
    page.goto(live_server.url + "/data/IT_25/")
    assert number(page.locator("[data-testid=latest-confirmed]").inner_text()) == 984  # Lombardia, totale_casi
    page.goto(live_server.url + "/data/IT_25/confirmed/provenance/")
    assert "Protezione Civile" in page.content()
    page.goto(live_server.url + "/data/IT/")
    # The country shows the sum of its regions on that day, the file's national total (P.A. Trento and
    # P.A. Bolzano count through Trentino-Alto Adige, which has no figure of its own).
    assert number(page.locator("[data-testid=latest-confirmed]").inner_text()) == 1694
    assert "1 Mar 2020" in page.locator(".location-stats").inner_text()
    screenshot(page, "review-flow-5-italy-page")
    reviewer_context.close()

    # The volunteer got the approval email (sent by the worker).
    deadline = time.monotonic() + 60
    while "was approved" not in mail_to(celery_worker_process, mailoutbox, VOLUNTEER):
        assert time.monotonic() < deadline, "no approval email"
        time.sleep(0.5)
    mail = mail_to(celery_worker_process, mailoutbox, VOLUNTEER)
    assert f"Your submission #{submission.pk} was approved" in mail
    assert "Matches the Protezione Civile bulletin" in mail
