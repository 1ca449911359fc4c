import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_usernames_from_email'),
        ('places', '0001_initial'),
    ]

    # The models moved from dataset to places with their tables: only Django's state changes.
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='reviewerscope',
                    name='countries',
                    field=models.ManyToManyField(blank=True, limit_choices_to={'level': 'country'}, to='places.location'),
                ),
                migrations.AlterField(
                    model_name='volunteerprofile',
                    name='other_countries',
                    field=models.ManyToManyField(blank=True, limit_choices_to={'level': 'country'}, related_name='other_volunteers', to='places.location'),
                ),
                migrations.AlterField(
                    model_name='volunteerprofile',
                    name='primary_country',
                    field=models.ForeignKey(limit_choices_to={'level': 'country'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='primary_volunteers', to='places.location'),
                ),
        ]),
    ]
