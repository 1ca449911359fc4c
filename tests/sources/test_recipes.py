"""A source keeps several recipes, one per file shape; the migration signs the recipes it had."""

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from contributions.recipes import file_shape
from sources.models import SourceRecipe
from tests.contributions.factories import SubmissionFactory
from tests.sources.factories import SourceFactory

BEFORE = [("sources", "0002_locations_and_metrics_moved_to_places")]
REPORT = {
    "valid": True,
    "detected": {
        "kind": "xlsx",
        "sheets": [
            {"name": "regioni", "rows": 3, "columns": ["data", "regione", "casi", "2020-03-01"]},
            {"name": "note", "rows": 1, "columns": ["testo"]},
        ],
    },
}


@pytest.mark.django_db
def test_a_source_has_one_recipe_per_signature(reference_data):
    source = SourceFactory()
    SourceRecipe.objects.create(source=source, signature="a" * 64, layout="long")
    SourceRecipe.objects.create(source=source, signature="b" * 64, layout="wide_metric")
    assert source.recipes.count() == 2
    with pytest.raises(IntegrityError):
        SourceRecipe.objects.create(source=source, signature="a" * 64, layout="wide_date")


@pytest.mark.django_db(transaction=True)
def test_the_migration_signs_each_recipe_with_the_upload_it_was_made_from(reference_data):
    with_report, without_upload = SourceFactory(), SourceFactory()
    upload = SubmissionFactory(source=with_report, report=REPORT)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldRecipe = old_apps.get_model("sources", "SourceRecipe")  # noqa: N806 (a model class)
    mapping = {"sheets": ["regioni"], "date_column": "data", "location_columns": ["regione"], "date": "2020-03-01"}
    OldRecipe.objects.create(source_id=with_report.pk, layout="wide_metric", mapping=mapping, updated_from_id=upload.pk)
    OldRecipe.objects.create(source_id=without_upload.pk, layout="long", mapping={"metric_column": "indicatore"})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    signed = SourceRecipe.objects.get(source=with_report)
    expected = file_shape([("regioni", ["data", "regione", "casi", "2020-03-01"])])
    assert signed.signature == expected.signature
    assert signed.headers == [{"sheet": "regioni", "headers": ["data", "regione", "casi"]}]
    assert signed.updated_from_id == upload.pk
    assert "date" not in signed.mapping  # a constant date held for one file
    unsigned = SourceRecipe.objects.get(source=without_upload)
    assert (unsigned.signature, unsigned.mapping) == ("", {"metric_column": "indicatore"})


@pytest.mark.django_db
def test_staff_see_a_sources_recipes_in_the_admin(client, make_user):
    staff = make_user("s@example.org", role="staff")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    source = SourceFactory(name="Regional bulletins")
    SourceRecipe.objects.create(source=source, signature="c0ffee" + "0" * 58, layout="wide_metric")
    SourceRecipe.objects.create(source=source, signature="", layout="long")
    page = client.get("/admin/sources/sourcerecipe/").content.decode()
    assert "c0ffee000000" in page
    assert "from before signatures" in page
