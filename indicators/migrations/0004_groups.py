"""The roles "OPCC analyst" and "Panel member" as groups with their permissions."""

from django.db import migrations

from indicators.access.roles import ANALYST, PANEL, ensure_groups


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[ANALYST, PANEL]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_returns_lines_memberships"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
