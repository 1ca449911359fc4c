"""Recipes per file shape: a source keeps one recipe per header signature, a new file gets the one of
its shape or none, and approving an upload saves the recipe of its shape only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from contributions import recipes, services
from contributions.models import Submission
from review import services as review
from sources.models import SourceRecipe
from tests.sources.factories import SourceFactory

Status = Submission.Status

# Shape A: one column per metric, under headers no dictionary knows.
SHAPE_A = "when,area,alpha,beta\n2020-03-01,Lombardia,10,1\n2020-03-02,Lombardia,12,2\n2020-03-01,Veneto,5,0\n"
MAPPING_A = {
    "layout": "wide_metric",
    "date_column": "when",
    "location_columns": ["area"],
    "metrics": {"alpha": "confirmed", "beta": "deaths"},
}
# Shape B: other headers, day first, semicolons.
SHAPE_B = "zona;giorno;gamma\nLombardia;01/03/2020;7\nLazio;02/03/2020;9\n"
MAPPING_B = {
    "layout": "wide_metric",
    "date_column": "giorno",
    "date_format": "%d/%m/%Y",
    "location_columns": ["zona"],
    "metrics": {"gamma": "deaths"},
}
# Shape C: a third shape, never mapped.
SHAPE_C = "place,moment,delta\nLombardia,2020-03-01,3\n"


@pytest.fixture
def source(reference_data):
    return SourceFactory(name="Regional bulletins", country_key="IT")


@pytest.fixture
def volunteer(make_user):
    return make_user("giulia@example.org", countries=("IT",))


@pytest.fixture
def reviewer(make_user):
    return make_user("rev@example.org", role="reviewer", countries=("IT",))


@pytest.fixture
def checked(django_capture_on_commit_callbacks):
    """Run what the request queues once it commits (validation, merge), as the worker would."""

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = action(**kwargs)
        if isinstance(result, Submission):
            result.refresh_from_db()
        return result

    return run


def upload(checked, volunteer, source, text, name="bulletin.csv"):
    uploaded = SimpleUploadedFile(name, text.encode())
    return checked(services.create_upload, submitter=volunteer, source=source, uploaded=uploaded)


def messages(submission) -> str:
    return " ".join(problem["message"] for problem in submission.report.get("problems", []))


def map_and_approve(checked, volunteer, reviewer, submission, mapping):
    mapped = checked(services.set_mapping, submission=submission, user=volunteer, mapping=mapping)
    assert mapped.status == Status.AWAITING_REVIEW, mapped.report["problems"]
    checked(review.approve, submission=mapped, reviewer=reviewer, version=mapped.version)
    return mapped


@pytest.mark.django_db
def test_two_file_shapes_keep_two_recipes_and_each_file_gets_its_own(checked, volunteer, reviewer, source):
    first_a = upload(checked, volunteer, source, SHAPE_A)
    assert first_a.status == Status.NEEDS_MAPPING
    assert first_a.report["recipe"] is None
    map_and_approve(checked, volunteer, reviewer, first_a, MAPPING_A)
    recipe_a = SourceRecipe.objects.get(source=source)
    assert recipe_a.signature
    assert recipe_a.updated_from_id == first_a.pk

    # Another shape: recipe A is not forced on it, so it asks for its own mapping (no missing column).
    first_b = upload(checked, volunteer, source, SHAPE_B)
    assert first_b.status == Status.NEEDS_MAPPING
    assert first_b.report["recipe"] is None
    assert "not in the file" not in messages(first_b)
    map_and_approve(checked, volunteer, reviewer, first_b, MAPPING_B)
    assert source.recipes.count() == 2
    recipe_a.refresh_from_db()
    assert recipe_a.updated_from_id == first_a.pk  # B's approval left A's recipe alone

    # A new file of shape A (other values, rows in another order) goes straight to review with recipe A.
    next_a = upload(
        checked, volunteer, source, "when,area,alpha,beta\n2020-03-03,Veneto,8,1\n2020-03-03,Lombardia,20,3\n"
    )
    assert next_a.status == Status.AWAITING_REVIEW, next_a.report["problems"]
    assert next_a.mapping == {}
    assert next_a.report["recipe"] == {
        "id": recipe_a.pk,
        "signature": recipe_a.signature,
        "keys": ["date_column", "layout", "location_columns", "metrics"],
    }
    assert next_a.diff["counts"]["new"] == 4

    next_b = upload(checked, volunteer, source, "zona;giorno;gamma\nLazio;03/03/2020;11\n")
    assert next_b.status == Status.AWAITING_REVIEW, next_b.report["problems"]
    assert next_b.report["recipe"]["id"] == source.recipes.get(updated_from=first_b).pk

    # A shape no one mapped: no recipe, a mapping page, no crash and no complaint about recipe columns.
    shape_c = upload(checked, volunteer, source, SHAPE_C)
    assert shape_c.status == Status.NEEDS_MAPPING
    assert shape_c.report["recipe"] is None
    assert "not in the file" not in messages(shape_c)


@pytest.mark.django_db
def test_a_file_that_gains_a_date_column_keeps_its_recipe(checked, volunteer, reviewer, source):
    """One column per date (JHU's time series): tomorrow's file has one more column and the same shape."""
    monday = "Province,Country,3/1/20,3/2/20\nLombardia,Italy,10,20\nVeneto,Italy,1,2\n"
    tuesday = "Province,Country,3/1/20,3/2/20,3/3/20\nLombardia,Italy,10,20,30\nVeneto,Italy,1,2,3\n"
    first = upload(checked, volunteer, source, monday, name="series.csv")
    mapping = {
        "layout": "wide_date",
        "location_columns": ["Province"],
        "metric": "confirmed",
        "date_format": "%m/%d/%y",
        "ignore": ["Country"],
    }
    map_and_approve(checked, volunteer, reviewer, first, mapping)
    later = upload(checked, volunteer, source, tuesday, name="series.csv")
    assert later.status == Status.AWAITING_REVIEW, later.report["problems"]
    assert later.report["recipe"]["id"] == SourceRecipe.objects.get(source=source).pk
    assert later.row_count == 6


@pytest.mark.django_db
def test_switching_the_recipe_off_reads_the_file_without_it(checked, volunteer, reviewer, source):
    first = upload(checked, volunteer, source, SHAPE_A)
    map_and_approve(checked, volunteer, reviewer, first, MAPPING_A)
    again = upload(checked, volunteer, source, SHAPE_A.replace("10,1", "11,1"))
    assert again.report["recipe"] is not None
    off = checked(services.set_mapping, submission=again, user=volunteer, mapping={"use_recipe": False})
    assert off.status == Status.NEEDS_MAPPING
    assert off.report["recipe"] is None


@pytest.mark.django_db
def test_approving_a_changed_mapping_updates_the_recipe_of_that_shape_only(checked, volunteer, reviewer, source):
    first_a = upload(checked, volunteer, source, SHAPE_A)
    map_and_approve(checked, volunteer, reviewer, first_a, MAPPING_A)
    first_b = upload(checked, volunteer, source, SHAPE_B)
    map_and_approve(checked, volunteer, reviewer, first_b, MAPPING_B)
    recipe_b = source.recipes.get(updated_from=first_b)
    # The next A file leaves beta out: the volunteer's key wins over the recipe's, and is remembered.
    next_a = upload(checked, volunteer, source, SHAPE_A)
    changed = map_and_approve(checked, volunteer, reviewer, next_a, {"metrics": {"alpha": "confirmed", "beta": ""}})
    assert source.recipes.count() == 2
    recipe_a = source.recipes.get(signature=changed.report["recipe"]["signature"])
    assert recipe_a.updated_from_id == changed.pk
    assert recipe_a.mapping["metrics"] == {"alpha": "confirmed", "beta": ""}
    assert recipe_a.mapping["date_column"] == "when"  # kept from the recipe the file was read with
    recipe_b.refresh_from_db()
    assert recipe_b.updated_from_id == first_b.pk


@pytest.mark.django_db
def test_a_constant_date_is_not_kept_in_the_recipe(checked, volunteer, reviewer, source):
    """A file with no date column: the date given holds for that file, not for the next one of its shape."""
    snapshot = "area,alpha\nLombardia,10\nVeneto,5\n"
    first = upload(checked, volunteer, source, snapshot)
    mapping = {"layout": "wide_metric", "location_columns": ["area"], "metrics": {"alpha": "confirmed"}}
    map_and_approve(checked, volunteer, reviewer, first, {**mapping, "date": "2020-03-01"})
    recipe = SourceRecipe.objects.get(source=source)
    assert "date" not in recipe.mapping
    tomorrow = upload(checked, volunteer, source, snapshot.replace("10", "12"))
    assert tomorrow.report["recipe"]["id"] == recipe.pk
    assert tomorrow.status == Status.NEEDS_MAPPING  # asked for the date, not given yesterday's
    assert [r["code"] for r in tomorrow.report["needs_mapping"]["reasons"]] == ["no_date_column"]


@pytest.mark.django_db
def test_a_recipe_from_before_signatures_applies_only_to_files_with_its_columns(checked, volunteer, reviewer, source):
    unsigned = SourceRecipe.objects.create(source=source, signature="", layout="wide_metric", mapping=MAPPING_A)
    fitting = upload(checked, volunteer, source, SHAPE_A)
    assert fitting.status == Status.AWAITING_REVIEW, fitting.report["problems"]
    assert fitting.report["recipe"]["id"] == unsigned.pk
    other = upload(checked, volunteer, source, SHAPE_B)
    assert other.report["recipe"] is None
    assert "not in the file" not in messages(other)
    # Once an upload read with it is approved, it becomes the signed recipe of that shape.
    checked(review.approve, submission=fitting, reviewer=reviewer, version=fitting.version)
    unsigned.refresh_from_db()
    assert unsigned.signature == recipes.file_shape([("", ["when", "area", "alpha", "beta"])]).signature
    assert source.recipes.count() == 1


@pytest.mark.django_db
def test_a_recipe_that_says_how_to_read_the_file_is_read_with(checked, volunteer, reviewer, source):
    """Decimal commas the detection cannot tell from thousands: the recipe's separators are used."""
    text = "when;area;alpha\n2020-03-01;Lombardia;1,5\n2020-03-02;Lombardia;2,5\n"
    mapping = {**MAPPING_A, "metrics": {"alpha": "confirmed"}, "decimal": ",", "thousands": "."}
    SourceRecipe.objects.create(
        source=source,
        signature=recipes.file_shape([("", ["when", "area", "alpha"])]).signature,
        layout="wide_metric",
        mapping=mapping,
    )
    submission = upload(checked, volunteer, source, text)
    assert submission.report["recipe"] is not None
    assert submission.report["detected"]["decimal"] == ","


# --- the signature -------------------------------------------------------------------------------


def test_the_signature_ignores_date_headers_column_order_and_repeated_sheets():
    shape = recipes.file_shape([("", ["Province", "Country", "1/22/20", "1/23/20"])])
    assert shape.signature == recipes.file_shape([("", ["Country", "Province", "1/22/20", "2020-01-24"])]).signature
    assert shape.headers == [{"sheet": "", "headers": ["Province", "Country"]}]
    regions = recipes.file_shape([("Lombardia", ["data", "casi"]), ("Veneto", ["data", "casi"])])
    assert regions.signature == recipes.file_shape([("Lazio", ["casi", "data"])]).signature
    assert shape.signature != recipes.file_shape([("", ["province", "Country"])]).signature  # names are exact
    assert recipes.file_shape([]).signature == ""


def test_a_recipe_made_from_some_sheets_is_signed_with_those_sheets():
    workbook = [("regioni", ["data", "regione", "casi"]), ("note", ["testo"])]
    only_regions = recipes.file_shape(workbook, only=["regioni"])
    assert only_regions.signature == recipes.file_shape([("regioni", ["data", "regione", "casi"])]).signature
    assert only_regions.signature != recipes.file_shape(workbook).signature


def test_the_headers_shown_are_cut_short():
    headers = [{"sheet": "", "headers": [f"c{i}" for i in range(12)]}]
    assert recipes.shortened_headers(headers) == "c0, c1, c2, c3, c4, c5, c6, c7, … and 4 more"
    sheets = [{"sheet": name, "headers": ["data", "casi"]} for name in ("Lombardia", "Veneto", "Lazio")]
    assert recipes.shortened_headers(sheets) == "Lombardia and 2 more sheets: data, casi"


# --- the source page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_source_page_lists_each_recipe_with_its_headers_and_upload(checked, volunteer, reviewer, source, rf):
    first_a = upload(checked, volunteer, source, SHAPE_A)
    map_and_approve(checked, volunteer, reviewer, first_a, MAPPING_A)
    first_b = upload(checked, volunteer, source, SHAPE_B)
    map_and_approve(checked, volunteer, reviewer, first_b, MAPPING_B)
    listed = recipes.listed(source)
    assert [entry.made_from for entry in listed] == [first_b.pk, first_a.pk]  # the latest first
    page = render_to_string(
        "sources/detail.html", {"source": source, "source_recipes": listed, "recipe_history": []}, request=rf.get("/")
    )
    assert "Files with the columns zona, giorno, gamma" in page
    assert "Files with the columns when, area, alpha, beta" in page
    assert f"upload #{first_a.pk}" in page
    assert f"upload #{first_b.pk}" in page
    assert "“gamma” → <code>deaths</code>" in page
