from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from projects.models import Project
from workflows.models import ChecklistItem, GateReview

# The table keeps the name it had in ``projects``: the move changed no row.


class Comment(models.Model):
    """A message in a project's thread. Markdown stored raw, rendered and sanitised once.

    Deleting leaves a tombstone: the row stays (replies keep their parent), the text goes.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    checklist_item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True
    )
    review = models.ForeignKey(GateReview, on_delete=models.SET_NULL, null=True, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "projects_comment"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["author", "created_at"]),
            # The moderation queue, newest first across every project: a page read from
            # here, not every comment sorted.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(deleted_at=None),
                name="comment_live_by_date",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~Q(client_id=""),
                name="idempotent_comment_post",
            )
        ]

    def __str__(self):
        return f"#{self.pk} by {self.author} on {self.project_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
