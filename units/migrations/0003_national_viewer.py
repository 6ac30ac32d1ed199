from django.db import migrations

GROUP = "National viewers"


def create_group(apps, schema_editor):
    # Permissions are otherwise created after the last migration; the group needs its grant now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="units", model="unit")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="read_all_cities",
        defaults={"name": "National viewer: reads every city's results"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("units", "0002_role_plan_editor"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="unit",
            options={
                "ordering": ["code"],
                "permissions": [
                    ("read_all_cities", "National viewer: reads every city's results")
                ],
                "verbose_name": "unit",
                "verbose_name_plural": "units",
            },
        ),
        migrations.RunPython(create_group, remove_group),
    ]
