"""What a file holds but the upload does not take is shown to the reviewer and the submitter, column by
column with the number of values and why: a reviewer must not approve losses they cannot see."""

import pytest
from django.urls import reverse

from contributions.parsing import parse_file
from contributions.validation import validate
from tests.review.builders import make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db
ZA = "real/za_covid19za_provincial_cumulative_timeline_confirmed.csv"


def test_the_totals_and_unknown_columns_of_south_africas_file_are_listed_on_both_pages(
    client, make_user, test_data, reference_data
):
    path = test_data / ZA
    report = validate(parse_file(path, filename=path.name), default_country="ZA", source_country="ZA").report
    volunteer = make_user("za-volunteer@example.org", countries=("ZA",))
    reviewer = make_user("za-reviewer@example.org", role="reviewer", countries=("ZA",))
    submission = make_submission(submitter=volunteer, source=make_source(country="ZA"), country="ZA", report=report)
    rows = path.read_text().splitlines()[1:]

    client.force_login(reviewer)
    review_page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    client.force_login(volunteer)
    own_page = client.get(submission.get_absolute_url()).content.decode()

    for page in (review_page, own_page):
        assert "Columns left out of this file" in page
        assert f"<td>total</td><td>{len(rows)}</td>" in page  # every row has a total
        assert "<td>UNKNOWN</td>" in page
        assert "looks like the total of the place columns" in page
