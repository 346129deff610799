# Comment moves here from projects with its table and rows (projects_comment). Its links to
# checklist items and reviews were added by projects' second migration on databases made
# before the move; a new database gets them here, so projects never depends on workflows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from incubator.moves import add_missing_fields, move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0011_threads_notifications_presence_move_out"),
        ("workflows", "0007_gate_reminder_days"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Comment",
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
                        ("body", models.TextField(blank=True)),
                        ("body_html", models.TextField(blank=True)),
                        ("client_id", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("edited_at", models.DateTimeField(blank=True, null=True)),
                        ("deleted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="comments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "checklist_item",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="workflows.checklistitem",
                            ),
                        ),
                        (
                            "deleted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="replies",
                                to="discussion.comment",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="comments",
                                to="projects.project",
                            ),
                        ),
                        (
                            "review",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="workflows.gatereview",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_comment",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["author", "created_at"],
                                name="projects_co_author__e774f7_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("client_id", ""), _negated=True),
                                fields=("author", "client_id"),
                                name="idempotent_comment_post",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        add_missing_fields("discussion", "Comment", ["checklist_item", "review"]),
        move_content_types("projects", "discussion", ["comment"]),
    ]
