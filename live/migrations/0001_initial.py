# Presence moves here from projects with its table and rows (projects_presence).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from incubator.moves import move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0011_threads_notifications_presence_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Presence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("channel_name", models.CharField(max_length=200, unique=True)),
                        ("seen_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="presences",
                                to="projects.project",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_presence",
                        "indexes": [
                            models.Index(
                                fields=["project", "seen_at"], name="projects_pr_project_ae5b2f_idx"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        move_content_types("projects", "live", ["presence"]),
    ]
