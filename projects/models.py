import itertools
from contextlib import contextmanager

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from . import stages
from .reading import once

# The text limits, defined once: models, services, serializers and forms read them.
MAX_URL = 500  # links: a project's repository and website, a criterion's evidence
MAX_SUMMARY = 500
MAX_NOTE = 2000  # justifications, review notes, the public served
MAX_TEXT = 5000  # evidence, rationales, the problem addressed


class Stage(models.TextChoices):
    IDEA = "idea", _("Idée")
    PROTOTYPE = "prototype", _("Prototype")
    PILOT = "pilot", _("Pilote")
    COMMONS = "commons", _("Commun")
    ARCHIVED = "archived", _("Archivé")


PATH = [Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT, Stage.COMMONS]
NEXT_STAGE = dict(itertools.pairwise(PATH))
PREVIOUS_STAGE = {after: before for before, after in NEXT_STAGE.items()}
# The stage machine's transitions (the methods of ``Project`` below), as the audit rows
# (``StageTransition.name``) record them.
TRANSITIONS = ("advance", "send_back", "archive", "compost", "reopen")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restreint")


class Role(models.TextChoices):
    OWNER = "owner", _("Responsable")
    MEMBER = "member", _("Membre")


class Bilingual:
    """Picks the French or English variant of a field for the active language."""

    def localized(self, field: str) -> str:
        english = getattr(self, f"{field}_en", "")
        if (get_language() or "fr").startswith("en") and english:
            return english
        return getattr(self, f"{field}_fr")


class Theme(Bilingual, models.Model):
    """A theme of digital mediation (inclusion, third places, open data...)."""

    slug = models.SlugField(primary_key=True, max_length=40)
    name_fr = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)

    class Meta:
        ordering = ["name_fr"]

    def __str__(self):
        return self.localized("name")


class Territory(models.Model):
    """A French département (INSEE code, e.g. ``44``) or région (``R`` + INSEE code, ``R52``)."""

    class Kind(models.TextChoices):
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")

    code = models.CharField(primary_key=True, max_length=4)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "territories"

    def __str__(self):
        return f"{self.name} ({self.code})"


class ProjectQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ProjectQuerySet":
        """The projects where ``user`` may do ``action`` (a key of ``access.RULES``)."""
        from . import access  # access reads these models

        return access.restrict(self, user, action)

    def visible_to(self, user) -> "ProjectQuerySet":
        """Projects ``user`` may read: ``restrict(user, "view")``."""
        return self.restrict(user, "view")


def live_hold(project: "Project") -> "Hold | None":
    """The project's hold proposed or in force, if any (at most one: a constraint). Within
    ``hold_known`` the one the service already read under the project's lock, as long as
    the stage is the one it was read at."""
    known = getattr(project, "_known_hold", None)
    if known is not None and known[0] == project.stage:
        return known[1]
    return once(
        ("live_hold", project.pk),
        lambda: project.holds.filter(lifted_at__isnull=True).select_related("proposed_by").first(),
    )


@contextmanager
def hold_known(project: "Project", hold: "Hold | None"):
    """Within the block, ``live_hold`` (and so the hold condition of ``advance``, asked once
    for its blockers and again when django-fsm fires it) answers ``hold``, read under the
    lock, instead of reading it again."""
    project._known_hold = (project.stage, hold)
    try:
        yield
    finally:
        del project._known_hold


def _hold_blockers(project: "Project") -> list[dict]:
    """The hold condition of ``advance``: no hold is in force on the project."""
    hold = live_hold(project)
    if hold is None or hold.placed_at is None:
        return []
    return [
        stages.blocker(
            "on_hold",
            _("Le projet est en pause jusqu'au %(date)s : rien n'avance.")
            % {"date": date_format(hold.revisit_on)},
        )
    ]


NOT_HELD = stages.Condition(_hold_blockers)


class Project(ConcurrentTransitionMixin, models.Model):
    """A partner project on its way from idea to digital commons.

    ``stage`` is protected: only the transition methods below change it, and a database
    trigger refuses any stage change that is not the target of the latest StageTransition.
    """

    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(_("résumé"), max_length=MAX_SUMMARY)
    problem = models.TextField(_("problème traité"), max_length=MAX_TEXT, blank=True)
    public_served = models.TextField(_("public concerné"), max_length=MAX_NOTE, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="projects")
    territories = models.ManyToManyField(Territory, blank=True, related_name="projects")
    origin = models.CharField(
        _("origine"), max_length=120, blank=True, help_text=_("par ex. « NEC 2018 Nantes »")
    )
    repository_url = models.URLField(
        _("dépôt de code ou de contenu"), max_length=MAX_URL, blank=True
    )
    website_url = models.URLField(_("site web"), max_length=MAX_URL, blank=True)
    licence = models.CharField(
        _("licence"), max_length=64, blank=True, help_text=_("identifiant SPDX, par ex. AGPL-3.0")
    )
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    stage = FSMField(
        _("étape"), max_length=12, choices=Stage.choices, default=Stage.IDEA, protected=True
    )
    stage_changed_at = models.DateTimeField(default=timezone.now)
    # The last ProjectEvent.seq handed out; bumped under this row's lock so seqs have no gaps.
    event_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "visibility"]),
            # The list's order: a page is read from the index instead of sorting every project.
            models.Index(fields=["-updated_at", "-id"], name="project_list_order_idx"),
        ]
        permissions = [
            ("manage_team", _("Gérer l'équipe du projet")),
            ("archive_project", _("Archiver le projet")),
            ("reopen_project", _("Rouvrir un projet archivé")),
            ("review_project", _("Vérifier les critères et décider des revues")),
            ("moderate_comments", _("Modérer les commentaires")),
            ("curate", _("Configurer la plateforme, modérer, relire toute étape")),
        ]

    def __str__(self):
        return self.title

    # ``get_absolute_url``: the project's page, set by the site (``ABSOLUTE_URL_OVERRIDES``).

    @property
    def next_stage(self) -> str | None:
        return NEXT_STAGE.get(self.stage)

    # One transition per kind of edge. Each says who may fire it (``permission``, from
    # ``access.RULES``), what it shows from a stage it does not leave (``unavailable``) and
    # whether it needs a rationale; ``projects.stages`` reads them for the API and the pages.
    # The gate's conditions of ``advance`` are added by workflows (``workflows.gates``), whose
    # services call these methods under the project's row lock and write the audit row.
    @transition(
        field=stage,
        source=[Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT],
        target=RETURN_VALUE(Stage.PROTOTYPE, Stage.PILOT, Stage.COMMONS),
        conditions=[NOT_HELD],
        permission=stages.permission("change", "review"),
        custom={"unavailable": ("no_next_gate", _("Ce projet n'a pas d'étape suivante."))},
    )
    def advance(self):
        self.stage_changed_at = timezone.now()
        return NEXT_STAGE[self.stage]

    @transition(
        field=stage,
        source=[Stage.PROTOTYPE, Stage.PILOT, Stage.COMMONS],
        target=RETURN_VALUE(Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT),
        permission=stages.permission("review"),
        custom={
            "unavailable": ("wrong_stage", _("Ce projet ne peut pas revenir en arrière.")),
            "rationale_required": True,
        },
    )
    def send_back(self):
        self.stage_changed_at = timezone.now()
        return PREVIOUS_STAGE[self.stage]

    @transition(
        field=stage,
        source=PATH,
        target=Stage.ARCHIVED,
        permission=stages.permission("archive"),
        custom={
            "unavailable": ("wrong_stage", _("Ce projet est déjà archivé.")),
            "rationale_required": True,
        },
    )
    def archive(self):
        self.stage_changed_at = timezone.now()

    @transition(
        field=stage,
        source=PATH,
        target=Stage.ARCHIVED,
        permission=stages.permission("archive"),
        custom={"unavailable": ("wrong_stage", _("Ce projet est déjà archivé."))},
    )
    def compost(self):
        """Archive with a lesson: the stop that leaves something for others."""
        self.stage_changed_at = timezone.now()

    @transition(
        field=stage,
        source=Stage.ARCHIVED,
        target=RETURN_VALUE(*PATH),
        permission=stages.permission("reopen"),
        custom={
            "unavailable": ("wrong_stage", _("Seul un projet archivé peut être rouvert.")),
            "rationale_required": True,
        },
    )
    def reopen(self, *, to: str):
        self.stage_changed_at = timezone.now()
        return to


class Hold(models.Model):
    """A pause of a project at its stage: nothing advances while a hold is in force.

    A curator's hold is in force at once; a reviewer's is ``proposed`` until the quorum of
    the project's gate has backed it (``HoldBacking``), and is lifted the same way. Written
    once and closed once: a database trigger refuses any other change and any delete.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="holds")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    reason = models.TextField(max_length=MAX_NOTE)
    revisit_on = models.DateField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    placed_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_note = models.TextField(max_length=MAX_NOTE, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(lifted_at__isnull=True), name="one_live_hold"
            )
        ]

    def __str__(self):
        return f"{self.project_id} held at {self.stage} ({self.status})"

    @property
    def status(self) -> str:
        if self.lifted_at:
            return "lifted"
        return "in_force" if self.placed_at else "proposed"


class HoldBacking(models.Model):
    """A reviewer's support for placing or lifting a hold; the quorum of them decides."""

    class Act(models.TextChoices):
        PLACE = "place", _("Mettre en pause")
        LIFT = "lift", _("Lever la pause")

    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="backings")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    act = models.CharField(max_length=8, choices=Act.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hold", "reviewer", "act"], name="one_backing_each")
        ]


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """Guardian's per-project permissions with a real foreign key (fast joins, cascades)."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class Membership(models.Model):
    """A person's role in a project's team; guardian permissions are derived from these."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_person")
        ]

    def __str__(self):
        return f"{self.user} · {self.project} ({self.role})"


class Follow(models.Model):
    """Someone who wants news of a project (team members follow implicitly)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="follow_once")]


class ProjectEvent(models.Model):
    """One change in a project's stream. ``seq`` counts per project with no gaps, so a client
    holding seq N can ask for everything after N and get it exactly once, in order."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="gapless_seq")]

    def __str__(self):
        return f"{self.project_id}#{self.seq} {self.type}"
