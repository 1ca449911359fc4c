"""Submission.countries: the countries of a submission's data; existing ones filled from their
normalised rows (or, without them, from `country`)."""

from django.db import migrations, models


def fill_countries(apps, schema_editor):
    import pandas as pd
    from django.core.files.storage import default_storage

    Location = apps.get_model("places", "Location")
    Submission = apps.get_model("contributions", "Submission")
    parents = dict(Location.objects.values_list("id", "parent_id"))

    def root(pk):
        while parents.get(pk) is not None:
            pk = parents[pk]
        return pk

    for submission in Submission.objects.all().iterator():
        countries: set[int] = set()
        if submission.normalised_path:
            try:
                with default_storage.open(submission.normalised_path, "rb") as handle:
                    ids = pd.read_parquet(handle, columns=["location_id"])["location_id"].unique()
                countries = {root(int(pk)) for pk in ids if int(pk) in parents}
            except (OSError, ValueError):
                countries = set()
        if not countries and submission.country_id:
            countries = {submission.country_id}
        submission.countries.set(countries)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0003_locations_moved_to_places"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="countries",
            field=models.ManyToManyField(blank=True, related_name="+", to="places.location"),
        ),
        migrations.RunPython(fill_countries, migrations.RunPython.noop),
    ]
