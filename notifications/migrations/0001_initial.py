# Notification and NotificationPreference move here from projects with their tables and rows.

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
                    name="Notification",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("mention", "Mention"),
                                    ("reply", "Réponse à mon commentaire"),
                                    ("review_opened", "Revue ouverte sur un projet que je relis"),
                                    ("decision", "Décision sur mon projet"),
                                    ("stage_changed", "Changement d'étape d'un projet suivi"),
                                    ("reminder", "Rappel : revue ou modifications en attente"),
                                    ("dormant", "Projet en sommeil depuis longtemps"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("text", models.CharField(max_length=300)),
                        ("url", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="projects.project",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read_at"],
                                name="projects_no_recipie_2d92b8_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("mention", "Mention"),
                                    ("reply", "Réponse à mon commentaire"),
                                    ("review_opened", "Revue ouverte sur un projet que je relis"),
                                    ("decision", "Décision sur mon projet"),
                                    ("stage_changed", "Changement d'étape d'un projet suivi"),
                                    ("reminder", "Rappel : revue ou modifications en attente"),
                                    ("dormant", "Projet en sommeil depuis longtemps"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("in_app", models.BooleanField(default=True)),
                        (
                            "email",
                            models.CharField(
                                choices=[
                                    ("immediate", "Tout de suite"),
                                    ("daily", "Résumé quotidien"),
                                    ("weekly", "Résumé hebdomadaire"),
                                    ("never", "Jamais"),
                                ],
                                default="never",
                                max_length=10,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preferences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_notificationpreference",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "kind"), name="one_pref_per_kind"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        move_content_types("projects", "notifications", ["notification", "notificationpreference"]),
    ]
