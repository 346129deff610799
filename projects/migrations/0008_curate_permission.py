"""One permission that makes a curator (configuration, moderation, any review pool), given
to the curators group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; this migration needs this one now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curate = Permission.objects.get(content_type__app_label="projects", codename="curate")
    for group in Group.objects.filter(name="curators"):
        group.permissions.add(curate)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="projects", codename="curate").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_unaccent_extension"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["-updated_at", "-id"],
                "permissions": [
                    ("manage_team", "Gérer l'équipe du projet"),
                    ("archive_project", "Archiver le projet"),
                    ("reopen_project", "Rouvrir un projet archivé"),
                    ("review_project", "Vérifier les critères et décider des revues"),
                    ("moderate_comments", "Modérer les commentaires"),
                    ("curate", "Configurer la plateforme, modérer, relire toute étape"),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
