import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0001_initial'),
        ('sources', '0001_initial'),
    ]

    # The models moved from dataset to places with their tables: only Django's state changes.
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='source',
                    name='country',
                    field=models.ForeignKey(blank=True, help_text='Empty for international sources', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sources', to='places.location'),
                ),
                migrations.AlterField(
                    model_name='source',
                    name='metrics',
                    field=models.ManyToManyField(blank=True, related_name='sources', to='places.metric'),
                ),
                migrations.AlterField(
                    model_name='source',
                    name='subregion',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='subregion_sources', to='places.location'),
                ),
        ]),
    ]
