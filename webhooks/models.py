"""Signed webhooks: the endpoints people register, and every delivery with its attempts.

A ``Delivery`` is one project event for one endpoint, written in the transaction that
recorded the event, so it exists exactly when the event does. Deliveries of one endpoint for
one project form a ``Lane``: they leave one at a time in ``seq`` order, a later one waiting
for the earlier one, whoever the worker.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Project, ProjectEvent

from .reasons import reason


class Endpoint(models.Model):
    """A receiver's URL and the event types it wants, for one project (its owners and
    curators register these) or for the whole portfolio (curators only: ``project`` is
    null). ``secret`` signs every delivery; after a rotation ``previous_secret`` signs too
    until ``previous_until``, so the receiver can switch without losing a message."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actif")
        DISABLED = "disabled", _("Désactivé")

    class Reason(models.TextChoices):
        NONE = "", _("Aucune")
        BY_PERSON = "by_person", _("Désactivé à la main")
        FAILING = "failing", _("Échecs répétés")
        ACCESS_LOST = "access_lost", _("Accès au projet perdu")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_until = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    disabled_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "project"])]

    def __str__(self):
        return self.url

    # ``get_absolute_url``: the endpoint's page, set by the site (``ABSOLUTE_URL_OVERRIDES``).

    @property
    def active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def secrets(self, at=None) -> list[str]:
        """The secrets that sign a message sent at ``at``: the current one, and the previous
        one while its rotation period lasts."""
        at = at or timezone.now()
        signing = [self.secret]
        if self.previous_secret and self.previous_until and at < self.previous_until:
            signing.append(self.previous_secret)
        return signing


class Lane(models.Model):
    """The deliveries of one endpoint for one project, sent in ``seq`` order. A worker
    takes the lane with a lease (``leased_until``, ``lease``) for as long as it sends; a
    lease that outlives its worker expires by itself."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="lanes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    leased_until = models.DateTimeField(null=True, blank=True)
    lease = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "project"], name="one_lane_per_project")
        ]

    def __str__(self):
        return f"{self.endpoint_id}/{self.project_id}"


class Delivery(models.Model):
    """One event for one endpoint. ``message_id`` is the ``webhook-id`` of every attempt,
    so a receiver can drop a repeat. ``pending`` until an attempt succeeds (``delivered``),
    the retries run out (``failed``) or the endpoint's owner may no longer read the project
    (``withheld``: nothing was sent)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        DELIVERED = "delivered", _("Livré")
        FAILED = "failed", _("Échec")
        WITHHELD = "withheld", _("Retenu (accès perdu)")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(ProjectEvent, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event")
        ]
        indexes = [
            models.Index(fields=["lane", "status", "seq"]),
            models.Index(fields=["endpoint", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.message_id} {self.type} ({self.status})"


class Attempt(models.Model):
    """One try of a delivery: when, how long, the receiver's status code or why no answer
    came (``error``, a code of ``webhooks.reasons``), and the start of the answer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=30, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    response = models.TextField(blank=True)
    truncated = models.BooleanField(default=False)
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def error_text(self) -> str:
        return reason(self.error) if self.error else ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# The event types an endpoint may ask for: the real-time stream's own (docs/realtime.md).
EVENT_LABELS = {
    "comment.created": _("Commentaire publié"),
    "comment.updated": _("Commentaire modifié"),
    "comment.deleted": _("Commentaire supprimé ou modéré"),
    "checklist.updated": _("Critère attesté, vérifié ou modifié"),
    "review.opened": _("Revue de passage ouverte"),
    "review.decided": _("Décision sur une revue"),
    "project.stage_changed": _("Changement d'étape"),
}
