from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.models import Frequency
from projects.models import Project

from . import texts

# The tables keep the names they had in ``projects``: the move changed no row.


class Notification(models.Model):
    """Something a person should know about: a mention, a reply, a review, a decision..."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Réponse à mon commentaire")
        REVIEW_OPENED = "review_opened", _("Revue ouverte sur un projet que je relis")
        DECISION = "decision", _("Décision sur mon projet")
        STAGE_CHANGED = "stage_changed", _("Changement d'étape d'un projet suivi")
        REMINDER = "reminder", _("Rappel : revue ou modifications en attente")
        DORMANT = "dormant", _("Projet en sommeil depuis longtemps")
        CONDITION_DUE = "condition_due", _("Rappel : une condition arrive à échéance")
        CONDITION_MISSED = "condition_missed", _("Condition manquée sur un projet")
        HOLD = "hold", _("Pause d'un projet : mise, levée, réexamen")
        REUSE_DECLARED = "reuse_declared", _("Réutilisation déclarée, à vérifier")
        REUSE_DECIDED = "reuse_decided", _("Réutilisation vérifiée, refusée ou échue")
        REUSE_CONFIRM = "reuse_confirm", _("Réutilisation à confirmer pour l'année")
        RENEWAL_OPENED = "renewal_opened", _("Revue de renouvellement d'un commun")
        RENEWAL_DECIDED = "renewal_decided", _("Renouvellement d'un commun décidé")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook désactivé")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A sentence of ``texts.TEXTS`` with its parameters, rendered when read (``shown``);
    # ``text`` holds what a row says without a code (from before the codes).
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "projects_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"

    @property
    def shown(self) -> str:
        """What the notification says, in the active language."""
        return (texts.render(self.code, self.params) if self.code else "") or self.text


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; no row means the defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.NEVER)

    class Meta:
        db_table = "projects_notificationpreference"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_pref_per_kind")]
