# ComplianceRecord taken over from attainment (issue 13). attainment 0008 renamed its table to
# reporting_compliancerecord, rows and all, so this records the model in the state and moves
# its content type, so that permissions granted on it (and admin log entries) follow it.

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="attainment", new="reporting"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="compliancerecord").exists():
        ContentType.objects.using(db).filter(app_label=old, model="compliancerecord").update(
            app_label=new
        )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="reporting", new="attainment")


class Migration(migrations.Migration):

    dependencies = [
        ('attainment', '0008_compliance_record_to_reporting'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reporting', '0005_report_unique_per_dataset'),
        ('units', '0004_membership_history'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ComplianceRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dataset', models.CharField(choices=[('official', 'Official figures'), ('demo', 'Demo data')], max_length=8, verbose_name='dataset')),
                        ('timeliness', models.CharField(choices=[('on_time', 'On time'), ('late', 'Late'), ('missing', 'Missing'), ('pending', 'Not yet due')], max_length=8, verbose_name='timeliness')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='first submitted at')),
                        ('days_late', models.IntegerField(blank=True, null=True, verbose_name='days late')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                        ('period', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reporting.period', verbose_name='period')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='units.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'reporting compliance',
                        'verbose_name_plural': 'reporting compliance',
                        'constraints': [models.UniqueConstraint(fields=('dataset', 'unit', 'period'), name='compliance_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
