from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Bilingual, Project, Stage


class Principle(models.TextChoices):
    """The six principles of a digital commons in the NEC approach."""

    ETHICS = "ethics", _("Éthique")
    OPENNESS = "openness", _("Ouvert")
    REPLICABILITY = "replicability", _("Duplicable")
    IMPROVABILITY = "improvability", _("Améliorable")
    SUSTAINABILITY = "sustainability", _("Durable")
    GENERAL_INTEREST = "general_interest", _("Intérêt général")


class GateStage(models.TextChoices):
    PROTOTYPE = Stage.PROTOTYPE.value, Stage.PROTOTYPE.label
    PILOT = Stage.PILOT.value, Stage.PILOT.label
    COMMONS = Stage.COMMONS.value, Stage.COMMONS.label


class Gate(models.Model):
    """The passage into a stage: its criteria, its quorum of approvals, its reviewer pool
    (empty pool: every member of the ``reviewers`` group may review)."""

    stage = models.CharField(max_length=12, choices=GateStage.choices, unique=True)
    quorum = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_pools"
    )
    # The clock reminds the reviewers of a review open this long, then as often again;
    # 0: never.
    reminder_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(365)]
    )
    # The N of a computed reuse criterion of this gate: verified reuses by organisations
    # outside the team it needs.
    reuses_required = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(GateStage(self.stage).label)


class Computed(models.TextChoices):
    REUSES = "reuses", _("Réutilisations vérifiées")


class Criterion(Bilingual, models.Model):
    """One requirement of a gate. Editing it never rewrites checklists already handed out:
    items copy whether they are required when they are created."""

    class Level(models.TextChoices):
        REQUIRED = "required", _("Requis")
        RECOMMENDED = "recommended", _("Recommandé")

    class Evidence(models.TextChoices):
        LINK = "link", _("Lien")
        TEXT = "text", _("Texte")
        ANY = "any", _("Lien ou texte")

    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="criteria")
    code = models.SlugField(max_length=60, unique=True)
    principle = models.CharField(max_length=20, choices=Principle.choices)
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    guidance_fr = models.TextField(blank=True)
    guidance_en = models.TextField(blank=True)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.REQUIRED)
    evidence = models.CharField(max_length=8, choices=Evidence.choices, default=Evidence.ANY)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # Empty: the team attests and a reviewer verifies. Otherwise the item's status is
    # computed from a measure (``workflows.computed``) and never set by hand.
    computed = models.CharField(max_length=12, choices=Computed.choices, blank=True)

    class Meta:
        ordering = ["gate", "position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.code

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def guidance(self) -> str:
        return self.localized("guidance")


class ItemStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    ATTESTED = "attested", _("Attesté")
    VERIFIED = "verified", _("Vérifié")
    REJECTED = "rejected", _("Refusé")
    NOT_APPLICABLE = "not_applicable", _("Non applicable")


class ChecklistItem(models.Model):
    """A project's answer to one criterion of a gate.

    ``not_applicable`` is a claim by the team until a reviewer accepts it
    (``na_accepted``); only then does it count like ``verified``.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="items")
    required = models.BooleanField()
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.TODO)
    evidence_url = models.URLField(max_length=MAX_URL, blank=True)
    evidence_text = models.TextField(max_length=MAX_TEXT, blank=True)
    justification = models.TextField(max_length=MAX_NOTE, blank=True)
    na_accepted = models.BooleanField(default=False)
    review_note = models.TextField(max_length=MAX_NOTE, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="one_item_per_criterion")
        ]

    def __str__(self):
        return f"{self.project_id}/{self.criterion.code}: {self.status}"


class ChecklistChange(models.Model):
    """Who moved a checklist item from which status to which, when, and why."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    from_status = models.CharField(max_length=16, choices=ItemStatus.choices)
    to_status = models.CharField(max_length=16, choices=ItemStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class GateReview(models.Model):
    """A team's request to pass the next gate. One open review per project at a time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        APPROVED = "approved", _("Approuvée")
        CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
        REJECTED = "rejected", _("Refusée")
        WITHDRAWN = "withdrawn", _("Retirée")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="open"), name="one_open_review"
            )
        ]

    def __str__(self):
        return f"{self.project} → {self.gate} ({self.status})"


class Decision(models.Model):
    """One reviewer's vote on a gate review."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", _("Approuver")
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approuver sous conditions")
        REQUEST_CHANGES = "request_changes", _("Demander des modifications")
        REJECT = "reject", _("Refuser")

    review = models.ForeignKey(GateReview, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    rationale = models.TextField(max_length=MAX_TEXT)
    # With ``approve_with_conditions``: the conditions proposed, as checked when voting
    # (``text``, ``owner`` id, ``due_on`` ISO date, ``criterion`` code or null). The advance
    # turns those of the votes that count into Condition rows.
    conditions = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="one_vote_per_reviewer")
        ]


class Said(models.TextChoices):
    """The rationales the system writes itself, stored as codes and shown in the language of
    whoever reads them (pages, API, feeds, exports)."""

    GATE_APPROVED = "gate_approved", _("Passage approuvé.")


class StageTransition(models.Model):
    """The append-only record of a stage change. A database trigger makes every change of
    ``Project.stage`` match the newest of these rows, and refuses updates to them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=12)
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(default=timezone.now)
    review = models.ForeignKey(GateReview, on_delete=models.SET_NULL, null=True, blank=True)
    # Typed by a person; empty when the system moved the project (then ``said``).
    rationale = models.TextField(blank=True)
    # What the system said, as a code shown in the reader's language (``rationale_text``).
    # Nullable so that adding it is an ALTER TABLE: SQLite would rebuild the table, and a
    # rebuild drops the append-only triggers.
    said = models.CharField(max_length=32, choices=Said.choices, null=True, blank=True)
    checklist = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # A project's history in order, carrying what the portfolio reads (stays per
            # stage, monthly moves) so those figures are read from the index alone.
            models.Index(
                fields=["project", "at", "id"],
                include=["from_stage", "to_stage", "name"],
                name="transition_project_at_id_idx",
            ),
            # The funnel: distinct projects that reached each stage, in index order.
            models.Index(fields=["to_stage", "project"], name="transition_reached_idx"),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"

    @property
    def rationale_text(self) -> str:
        """The rationale in the active language: what the system said, or what was typed."""
        return str(Said(self.said).label) if self.said else self.rationale


class Condition(models.Model):
    """A condition of an approval "with conditions", created by the advance it allowed:
    ``open`` until met (new evidence on its criterion, or a reviewer's word), missed (its
    due date passed, the clock) or waived (a curator, with a note). Written once and closed
    once: a database trigger refuses any other change and any delete."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        MET = "met", _("Remplie")
        MISSED = "missed", _("Manquée")
        WAIVED = "waived", _("Levée")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conditions")
    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="conditions")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=MAX_NOTE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(max_length=MAX_NOTE, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.project_id}: {self.text[:40]} ({self.status})"


class Lesson(models.Model):
    """The public "what we learned" of a composted project, written with the transition
    that archived it. Seen by whoever may read the project. Never changed nor deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lessons")
    transition = models.OneToOneField(
        StageTransition, on_delete=models.PROTECT, related_name="lesson"
    )
    tried = models.TextField(max_length=MAX_TEXT)
    worked = models.TextField(max_length=MAX_TEXT)
    failed = models.TextField(max_length=MAX_TEXT)
    reusable = models.TextField(max_length=MAX_TEXT)
    links = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.project_id}: lesson"
