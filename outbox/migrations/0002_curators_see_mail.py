from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = ["view_message", "change_message", "view_recipient"]


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
            content_type__app_label="outbox", codename__in=CURATOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="curators"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="outbox", codename__in=CURATOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    """Curators see the e-mails that failed in the admin and retry them."""

    dependencies = [
        ("outbox", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
