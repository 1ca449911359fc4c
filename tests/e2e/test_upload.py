"""In a real browser: a volunteer uploads real files, maps columns when asked, and ends awaiting review."""

import re

import pytest

from contributions.models import Submission
from tests.sources.factories import SourceFactory

PASSWORD = "correct-horse-42"


@pytest.fixture
def signed_in(live_server, page, make_user):
    make_user("uploader@example.org", countries=("IT", "NG"), password=PASSWORD)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "uploader@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my-countries/"))
    return page


def upload(page, live_server, screenshot, *, source, path, status, shot):
    """Upload, wait for the submission to reach `status`, and take the screenshot `shot`."""
    page.goto(live_server.url + "/submissions/new/")
    page.select_option("select[name=source]", value=str(source.pk))
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector(f"[data-status={status}]")
    screenshot(page, shot)


@pytest.mark.django_db(transaction=True)
def test_upload_italy_regional_csv_to_awaiting_review(live_server, signed_in, test_data, screenshot):
    page = signed_in
    source = SourceFactory(country_key="IT", name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")
    upload(
        page,
        live_server,
        screenshot,
        source=source,
        path=test_data / "italy_pcm_dpc" / "dpc-covid19-ita-regioni-20200301.csv",
        status="awaiting_review",
        shot="upload-italy-csv-report",
    )
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert submission.row_count > 21  # 21 regions, several metrics each
    assert "Preview of the normalised rows" in page.content()


@pytest.mark.django_db(transaction=True)
def test_upload_nigeria_xlsx_with_the_mapping_step(live_server, signed_in, test_data, screenshot):
    page = signed_in
    source = SourceFactory(country_key="NG", name="Nigeria Centre for Disease Control", url="https://ncdc.gov.ng/")
    upload(
        page,
        live_server,
        screenshot,
        source=source,
        path=test_data / "xlsx" / "Covid_19_cases_Nigeria.xlsx",
        status="needs_mapping",
        shot="upload-nigeria-needs-mapping",
    )
    page.get_by_role("link", name="Map the columns").click()
    page.wait_for_selector("[data-testid=mapping-form]")
    page.fill("input[name=date]", "2020-03-30")
    screenshot(page, "upload-nigeria-mapping")
    page.get_by_role("button", name="Save mapping and check again").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector("[data-status=awaiting_review]")
    screenshot(page, "upload-nigeria-awaiting-review")
    submission = Submission.objects.get()
    assert submission.mapping["date"] == "2020-03-30"
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
