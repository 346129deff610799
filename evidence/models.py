from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from workflows.models import ChecklistItem, Criterion

from .checks import CHOICES as CHECKS


class Outcome(models.TextChoices):
    PASS = "pass", _("Réussi")
    FAIL = "fail", _("Échoué")
    NOT_APPLICABLE = "not_applicable", _("Non applicable")


class RepositoryScan(models.Model):
    """One automatic reading of a project's repository at one commit. Queued, run by a
    worker, finished once (``done``, or ``refused`` with its reason); then neither it nor
    its results change (database triggers); they go only with their project. One active
    (queued or running) scan per project."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        REFUSED = "refused", _("Échouée")

    class Trigger(models.TextChoices):
        ASKED = "asked", _("Demandée")
        REPOSITORY_CHANGED = "repository_changed", _("Adresse du dépôt modifiée")
        REVIEW_OPENED = "review_opened", _("Revue de passage ouverte")
        CLOCK = "clock", _("Analyse périodique")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    # DO_NOTHING: the database removes scans after their project (a trigger), so the
    # append-only guard can refuse every other deletion.
    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, related_name="scans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.ASKED)
    commit = models.CharField(max_length=40, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    refusal_code = models.CharField(max_length=30, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-requested_at"]),
            models.Index(fields=["requested_by", "-requested_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_scan",
            )
        ]

    def __str__(self):
        return f"{self.project_id} @ {self.commit[:7] or '-'} ({self.status})"


class CheckResult(models.Model):
    """What one check found at the scan's commit, and the file and line that prove it."""

    scan = models.ForeignKey(RepositoryScan, on_delete=models.DO_NOTHING, related_name="results")
    check_code = models.CharField(max_length=30, choices=CHECKS)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    value = models.JSONField(default=dict)
    path = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    commit = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["scan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "check_code"], name="one_result_per_check")
        ]

    def __str__(self):
        return f"{self.check_code}: {self.outcome}"


class Exemption(models.Model):
    """A project's declared exception to one automatic check, with its reason (shown to
    reviewers)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exemptions")
    check_code = models.CharField(max_length=30, choices=CHECKS)
    reason = models.TextField(max_length=2000)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "check_code"], name="one_exemption_per_check"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="exemption_has_reason"),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.check_code}"


class CheckMapping(models.Model):
    """A check whose result shows beside a criterion's checklist items (curators edit)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="checks")
    check_code = models.CharField(max_length=30, choices=CHECKS)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "check_code"], name="one_mapping_per_check"
            )
        ]

    def __str__(self):
        return f"{self.criterion.code} ← {self.check_code}"


class Override(models.Model):
    """A reviewer verified a required item although an automatic check mapped to it failed,
    and said why. Kept as written (shown beside the item, in the API and the admin)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="overrides")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="overrides")
    # DO_NOTHING: a scan goes only with its project, after the project's overrides.
    scan = models.ForeignKey(RepositoryScan, on_delete=models.DO_NOTHING, related_name="+")
    checks = models.JSONField(default=list)
    note = models.TextField(max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="override_has_note")]

    def __str__(self):
        return f"{self.item_id}: {', '.join(self.checks)}"
