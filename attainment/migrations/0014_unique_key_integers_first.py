"""attainment_unique with its integer columns first: (target, period, unit, dataset, scope).

A full run builds this index over every row of a dataset (attainment.storage.dataset_rebuilt).
Led by (target, dataset, scope), nearly every comparison of that sort reached the two text
columns, which are the same on most rows and compared through the collation: 1.15 s of the
index build at 1.1 M rows against 0.5 s now (docs/benchmarks.md, "Third day"). The target
still leads, so a target's rows are found as before; the period second serves the API's
"every target as of a period" read directly.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("attainment", "0013_results_partitioned_by_dataset"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="targetattainment",
            name="attainment_unique",
        ),
        migrations.AddConstraint(
            model_name="targetattainment",
            constraint=models.UniqueConstraint(
                fields=("target", "period", "unit", "dataset", "scope"),
                name="attainment_unique",
            ),
        ),
    ]
