"""Location, LocationAlias and Metric move from dataset to places, keeping their tables.

Only Django's state changes (the tables keep their dataset_ names); the content types follow the
models, so admin history and permissions stay attached to them.
"""
import django.db.models.deletion
from django.db import migrations, models


MOVED = ("location", "locationalias", "metric")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="places", model=model).exists():
            ContentType.objects.filter(app_label="dataset", model=model).update(app_label="places")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="dataset", model=model).exists():
            ContentType.objects.filter(app_label="places", model=model).update(app_label="dataset")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dataset', '0005_references_checked_per_statement'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Metric',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True)),
                        ('name', models.CharField(max_length=100)),
                        ('kind', models.CharField(choices=[('cumulative', 'Cumulative total'), ('daily', 'Daily count'), ('current', 'Current level (e.g. patients in hospital today)')], max_length=16)),
                        ('unit', models.CharField(default='people', max_length=40)),
                        ('description', models.TextField()),
                        ('display_order', models.PositiveSmallIntegerField(default=100)),
                    ],
                    options={
                        'db_table': 'dataset_metric',
                        'ordering': ['display_order', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Location',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(help_text='IT, IT_25, US_CA_06037, SHIP_DIAMOND_PRINCESS', max_length=64, unique=True)),
                        ('name', models.CharField(max_length=200)),
                        ('level', models.CharField(choices=[('country', 'Country or territory'), ('region', 'First-level region'), ('subregion', 'Second-level region'), ('special', 'Special (cruise ship, event)')], max_length=16)),
                        ('country_code', models.CharField(blank=True, db_index=True, help_text='ISO 3166-1 alpha-2 of the country it is in', max_length=2)),
                        ('iso_3166_1_alpha3', models.CharField(blank=True, max_length=3)),
                        ('iso_3166_2', models.CharField(blank=True, max_length=16)),
                        ('subdivision_type', models.CharField(blank=True, max_length=80)),
                        ('latitude', models.FloatField(blank=True, null=True)),
                        ('longitude', models.FloatField(blank=True, null=True)),
                        ('population', models.BigIntegerField(blank=True, null=True)),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='places.location')),
                    ],
                    options={
                        'db_table': 'dataset_location',
                        'ordering': ['key'],
                    },
                ),
                migrations.CreateModel(
                    name='LocationAlias',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scheme', models.CharField(choices=[('name', 'Name'), ('jhu', 'JHU CSSE'), ('iso', 'ISO code'), ('istat', 'ISTAT (Italy)'), ('fips', 'US FIPS'), ('other', 'Other')], default='name', max_length=16)),
                        ('text', models.CharField(max_length=200)),
                        ('normalised', models.CharField(db_index=True, editable=False, max_length=200)),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='places.location')),
                    ],
                    options={
                        'verbose_name_plural': 'location aliases',
                        'db_table': 'dataset_locationalias',
                    },
                ),
                migrations.AddIndex(
                    model_name='location',
                    index=models.Index(fields=['level', 'name'], name='dataset_loc_level_ff16f5_idx'),
                ),
                migrations.AddConstraint(
                    model_name='locationalias',
                    constraint=models.UniqueConstraint(fields=('scheme', 'text', 'location'), name='unique_alias_per_location'),
                ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
