from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Project

# The table keeps the name it had in ``projects``: the move changed no row.


class Presence(models.Model):
    """One open project socket, so every process can tell who is viewing a project now.

    Best-effort: the socket deletes its row when it closes and refreshes ``seen_at`` while it
    lives; rows of a process that died age out (readers ignore stale ``seen_at``).
    """

    channel_name = models.CharField(max_length=200, unique=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "projects_presence"
        indexes = [models.Index(fields=["project", "seen_at"])]

    def __str__(self):
        return f"{self.user} on {self.project_id}"
