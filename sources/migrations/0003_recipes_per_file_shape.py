"""A source keeps one recipe per file shape (header signature) instead of one recipe.

Each existing recipe is signed with the shape of the upload it was saved from, read from that
upload's report (the sheets and columns validation saw), restricted to the sheets the recipe reads.
When the upload or its report is gone, the recipe stays unsigned: it then applies only when no
signed recipe matches a file and every column it names is in the file (contributions.recipes), which
keeps it working for the files it was made for and stops it from failing on other shapes. A constant
`date` is dropped: it held for the one file it was given for.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def sign_existing_recipes(apps, schema_editor):
    from contributions.recipes import NOT_REMEMBERED, file_shape, report_sheets

    SourceRecipe = apps.get_model("sources", "SourceRecipe")
    for recipe in SourceRecipe.objects.select_related("updated_from"):
        mapping = {key: value for key, value in (recipe.mapping or {}).items() if key not in NOT_REMEMBERED}
        shape = file_shape(
            report_sheets(recipe.updated_from.report if recipe.updated_from else {}), mapping.get("sheets")
        )
        recipe.signature, recipe.headers, recipe.mapping = shape.signature, shape.headers, mapping
        recipe.created_at = recipe.updated_at
        recipe.save(update_fields=["signature", "headers", "mapping", "created_at"])


def keep_the_latest_recipe(apps, schema_editor):
    """Back to one recipe per source: the most recently saved one stays."""
    SourceRecipe = apps.get_model("sources", "SourceRecipe")
    kept = set()
    for recipe in SourceRecipe.objects.order_by("source_id", "-updated_at", "-pk"):
        if recipe.source_id in kept:
            recipe.delete()
        kept.add(recipe.source_id)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0005_version_counts_mappings_too"),
        ("sources", "0002_locations_and_metrics_moved_to_places"),
    ]

    operations = [
        migrations.AlterModelOptions(name="sourcerecipe", options={"ordering": ["source", "-updated_at"]}),
        migrations.AlterField(
            model_name="sourcerecipe",
            name="source",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="recipes", to="sources.source"
            ),
        ),
        migrations.AddField(
            model_name="sourcerecipe",
            name="signature",
            field=models.CharField(
                blank=True,
                help_text="SHA-256 of the file's headers (dates left out); empty: unknown",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="sourcerecipe",
            name="headers",
            field=models.JSONField(
                blank=True, default=list, help_text="What the signature was made from: [{sheet, headers}] per sheet"
            ),
        ),
        migrations.AddField(
            model_name="sourcerecipe",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(sign_existing_recipes, keep_the_latest_recipe),
        migrations.AddConstraint(
            model_name="sourcerecipe",
            constraint=models.UniqueConstraint(
                fields=("source", "signature"), name="one_recipe_per_source_and_file_shape"
            ),
        ),
    ]
