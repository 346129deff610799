"""The life of a commons after its gate: who reuses it, and whether it is still alive.

A ``Reuse`` is a declaration that an organisation uses a project; its status changes only
through ``commons.services``, and every change is a ``ReuseEvent`` (append-only). A
``Commons`` row carries a commons' public renewal status; each ``RenewalReview`` gathers the
signals at its opening and ends in one outcome reached by the reviewers' votes
(``RenewalVote``, append-only), with the commons gate's quorum and conflict-of-interest
rules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Project, Territory


class Reuse(models.Model):
    """An organisation's use of a project, declared by someone signed in, verified or
    refused by a reviewer outside the team, confirmed yearly by its declarer or lapsed."""

    class Kind(models.TextChoices):
        AS_IS = "as_is", _("Telle quelle")
        ADAPTED = "adapted", _("Adaptée")
        FORK = "fork", _("Dérivée (fork)")
        INSPIRED = "inspired", _("Inspirée")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Déclarée")
        VERIFIED = "verified", _("Vérifiée")
        REFUSED = "refused", _("Refusée")
        LAPSED = "lapsed", _("Échue")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reuses")
    organisation = models.CharField(max_length=200)
    # SIREN (9 digits) or SIRET (14 digits) of a French body; else ``organisation_uri``.
    siret = models.CharField(max_length=14, blank=True)
    organisation_uri = models.URLField(max_length=MAX_URL, blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="reuses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.CharField(max_length=100, blank=True)
    instance_url = models.URLField(max_length=MAX_URL, blank=True)
    use_case = models.TextField(max_length=MAX_NOTE)
    contact = models.EmailField(max_length=254)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declared_reuses"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DECLARED)
    # The verification, then each yearly confirmation; the reuse lapses a year after it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(max_length=MAX_NOTE, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self):
        return f"{self.organisation} → {self.project_id} ({self.status})"


class ReuseEvent(models.Model):
    """One change of a reuse's status, by whom, with the reviewer's note. Append-only."""

    class Action(models.TextChoices):
        DECLARED = "declared", _("Déclarée")
        VERIFIED = "verified", _("Vérifiée")
        REFUSED = "refused", _("Refusée")
        CONFIRMED = "confirmed", _("Confirmée")
        LAPSED = "lapsed", _("Échue")

    reuse = models.ForeignKey(Reuse, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(max_length=MAX_NOTE, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class RenewalStatus(models.TextChoices):
    RENEWED = "renewed", _("Renouvelé")
    AT_RISK = "at_risk", _("En danger")
    DORMANT = "dormant", _("En veille")


class Commons(models.Model):
    """A project that reached ``commons``: its public renewal status and next renewal date
    (``COMMONS_RENEWAL_MONTHS`` after graduation or the last renewal)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="commons")
    status = models.CharField(
        max_length=10, choices=RenewalStatus.choices, default=RenewalStatus.RENEWED
    )
    renewal_due = models.DateField()
    recovery_plan = models.TextField(max_length=MAX_TEXT, blank=True)
    recovery_due = models.DateField(null=True, blank=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "commons"
        indexes = [models.Index(fields=["status", "renewal_due"])]

    def __str__(self):
        return f"{self.project_id}: {self.status} ({self.renewal_due})"


class RenewalReview(models.Model):
    """The periodic review of a commons, opened by the clock before the renewal date or on
    a signal, or by a reviewer; one open per project. ``signals`` is what the reviewers
    were shown when it opened."""

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", _("Date de renouvellement proche")
        NO_COMMIT = "no_commit", _("Aucun commit depuis six mois")
        CHECK_FAILING = "check_failing", _("Une vérification requise échoue")
        REUSE_LAPSED = "reuse_lapsed", _("La dernière réutilisation vérifiée est échue")
        REQUESTED = "requested", _("Demandée")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        DECIDED = "decided", _("Décidée")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="renewals")
    reason = models.CharField(max_length=14, choices=Reason.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    signals = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=RenewalStatus.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="open"), name="one_open_renewal"
            )
        ]

    def __str__(self):
        return f"{self.project_id} renewal ({self.status} {self.outcome})"


class RenewalVote(models.Model):
    """One reviewer's outcome for a renewal review; ``at_risk`` carries the recovery plan
    and its due date. Append-only."""

    review = models.ForeignKey(RenewalReview, on_delete=models.CASCADE, related_name="votes")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=10, choices=RenewalStatus.choices)
    rationale = models.TextField(max_length=MAX_TEXT)
    recovery_plan = models.TextField(max_length=MAX_TEXT, blank=True)
    recovery_due = models.DateField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="one_renewal_vote")
        ]
