import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_locations_moved_to_places'),
        ('contributions', '0003_locations_moved_to_places'),
        ('dataset', '0005_references_checked_per_statement'),
        ('places', '0001_initial'),
        ('sources', '0002_locations_and_metrics_moved_to_places'),
    ]

    # The models moved from dataset to places with their tables: only Django's state changes.
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='observation',
                    name='location',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='places.location'),
                ),
                migrations.AlterField(
                    model_name='observationhistory',
                    name='location',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='places.location'),
                ),
                migrations.AlterField(
                    model_name='jhurow',
                    name='location',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jhu_rows', to='places.location'),
                ),
                migrations.RemoveField(
                    model_name='locationalias',
                    name='location',
                ),
                migrations.AlterField(
                    model_name='observationhistory',
                    name='metric',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='places.metric'),
                ),
                migrations.AlterField(
                    model_name='jhurow',
                    name='metric',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='places.metric'),
                ),
                migrations.AlterField(
                    model_name='observation',
                    name='metric',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='places.metric'),
                ),
                migrations.DeleteModel(
                    name='Location',
                ),
                migrations.DeleteModel(
                    name='LocationAlias',
                ),
                migrations.DeleteModel(
                    name='Metric',
                ),
        ]),
    ]
