"""E-mail that is never lost: what each person is to be told, and the messages carrying it.

An ``Item`` is written in the transaction of the change it tells about; a ``Message`` groups
items (one for an immediate e-mail, many for a digest) and is sent by a task that records
every attempt. This app imports no other app of the incubator: the apps above give it plain
text, links and ids.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Tout de suite")
    DAILY = "daily", _("Résumé quotidien")
    WEEKLY = "weekly", _("Résumé hebdomadaire")
    NEVER = "never", _("Jamais")


class Recipient(models.Model):
    """A person's e-mail settings that do not depend on the kind: the language of their
    e-mails (no row: the site's language)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mail_settings",
    )
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    def __str__(self):
        return f"{self.user} ({self.language})"


class Message(models.Model):
    """One e-mail to one person: a notification sent at once, or the digest of a period.

    ``pending`` until an attempt succeeds (``sent``) or the last one fails (``failed``,
    listed for curators and retried by ``manage.py retry_failed``). A digest is unique per
    person, frequency and period: two clocks cannot send it twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_messages"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "frequency", "period"],
                condition=~Q(period=""),
                name="one_digest_per_period",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.frequency} {self.period} → {self.recipient} ({self.status})"


class Item(models.Model):
    """One thing to tell one person by e-mail, already in their language. ``message`` is
    the e-mail that carries it: set at once for ``immediate``, by the digest job for the
    others."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_items"
    )
    kind = models.CharField(max_length=20)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    project_id = models.PositiveBigIntegerField(null=True, blank=True)
    project_title = models.CharField(max_length=200, blank=True)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["frequency", "message", "recipient"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"
