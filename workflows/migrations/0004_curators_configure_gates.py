from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = [
    "view_gate",
    "change_gate",
    "view_criterion",
    "add_criterion",
    "change_criterion",
    "delete_criterion",
    "view_gatereview",
    "view_decision",
    "view_stagetransition",
    "view_checklistitem",
    "view_checklistchange",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="curators")
    curators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workflows", codename__in=CURATOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="curators"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="workflows", codename__in=CURATOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_stage_audit_triggers"),
        ("projects", "0003_platform_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
