# ComplianceRecord moves to reporting (issue 13): reports, not figures, decide it. The rows stay;
# only the table is renamed here, and reporting 0006 takes the model over in Django's state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('attainment', '0007_lower_bound'),
        ('reporting', '0005_report_unique_per_dataset'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(
                    name='compliancerecord',
                    table='reporting_compliancerecord',
                ),
            ],
            state_operations=[
                migrations.DeleteModel(
                    name='ComplianceRecord',
                ),
            ],
        ),
    ]
