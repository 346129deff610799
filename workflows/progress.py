"""Where a project stands on the way to its next gate, for a whole list of projects in a
fixed number of queries: the pages say it in words ("3 critères à attester", "revue
ouverte : 1 approbation sur 2") and draw it (the stepper, the meters).

Reads only; the rules are ``gates``' (``is_done``, ``READY_TO_OPEN``).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.models import NEXT_STAGE, PATH, Project, Stage

from . import gates
from .models import ChecklistItem, Decision, Gate, GateReview, ItemStatus


@dataclass
class Progress:
    """The figures of one project's next gate (``gate`` is None on a commons or archive)."""

    project: Project
    gate: Gate | None = None
    review: GateReview | None = None
    required: int = 0  # required items the team answers (computed criteria are measured)
    attested: int = 0  # required items answered (attested, verified or not applicable)
    verified: int = 0  # required items verified or accepted as not applicable
    rejected: int = 0  # required items refused by a reviewer
    awaiting: int = 0  # items (required or not) waiting for a reviewer
    approvals: int = 0
    changes_requested: bool = False
    items: list = field(default_factory=list)

    def count(self, item: ChecklistItem) -> None:
        """Add one item of the next gate to the figures."""
        self.awaiting += item.status == ItemStatus.ATTESTED or (
            item.status == ItemStatus.NOT_APPLICABLE and not item.na_accepted
        )
        if not item.required or item.criterion.computed:
            return  # a computed criterion is measured, not answered: it blocks the advance
        self.required += 1
        self.attested += item.status in gates.READY_TO_OPEN
        self.verified += gates.is_done(item)
        self.rejected += item.status == ItemStatus.REJECTED

    @property
    def quorum(self) -> int:
        return self.gate.quorum if self.gate else 0

    @property
    def to_attest(self) -> int:
        return self.required - self.attested

    def percent(self, part: int, whole: int) -> int:
        """A share rounded down to the tens, for the meters' classes."""
        return 0 if not whole else min(100, part * 10 // whole * 10)

    @property
    def verified_percent(self) -> int:
        return self.percent(self.verified, self.required)

    @property
    def approvals_percent(self) -> int:
        return self.percent(self.approvals, self.quorum)

    @property
    def next_step(self) -> str:
        """The next thing to do, in words."""
        stage = self.project.stage
        if stage == Stage.COMMONS:
            return _("commun numérique : toutes les étapes sont franchies")
        if stage == Stage.ARCHIVED:
            return _("projet archivé")
        if self.review is not None:
            text = ngettext(
                "revue ouverte : %(approvals)d approbation sur %(quorum)d",
                "revue ouverte : %(approvals)d approbations sur %(quorum)d",
                self.approvals,
            ) % {"approvals": self.approvals, "quorum": self.quorum}
            unverified = self.required - self.verified
            if unverified:
                text += ngettext(
                    ", %(count)d critère à vérifier",
                    ", %(count)d critères à vérifier",
                    unverified,
                ) % {"count": unverified}
            return text
        if self.rejected:
            return ngettext(
                "%(count)d critère refusé à reprendre",
                "%(count)d critères refusés à reprendre",
                self.rejected,
            ) % {"count": self.rejected}
        if self.to_attest:
            return ngettext(
                "%(count)d critère à attester",
                "%(count)d critères à attester",
                self.to_attest,
            ) % {"count": self.to_attest}
        if self.changes_requested:
            return _("modifications demandées : redemandez la revue une fois prêtes")
        return _("grille prête : demandez la revue de passage")

    @property
    def summary(self) -> str:
        """The next gate in figures: "x attestés, y vérifiés, z approbations sur q"."""
        if self.gate is None:
            return ""
        parts = [
            ngettext(
                "%(count)d attesté sur %(total)d",
                "%(count)d attestés sur %(total)d",
                self.attested,
            )
            % {"count": self.attested, "total": self.required},
            ngettext("%(count)d vérifié", "%(count)d vérifiés", self.verified)
            % {"count": self.verified},
            ngettext(
                "%(approvals)d approbation sur %(quorum)d",
                "%(approvals)d approbations sur %(quorum)d",
                self.approvals,
            )
            % {"approvals": self.approvals, "quorum": self.quorum},
        ]
        return ", ".join(parts)


def steps(project: Project) -> list[dict]:
    """The stepper from idea to commons: each stage done, current or to come. An archived
    project shows the stage it left as its current one."""
    stage = gates.reopen_target(project) if project.stage == Stage.ARCHIVED else project.stage
    reached = PATH.index(stage) if stage in PATH else -1
    return [
        {
            "stage": stage.value,
            "label": stage.label,
            "state": "done" if index < reached else "current" if index == reached else "todo",
        }
        for index, stage in enumerate(PATH)
    ]


def progress_for(projects) -> dict[int, Progress]:
    """``Progress`` of each project, keyed by pk: three queries for any number of projects
    (the gates, the items of every project, the open or latest reviews)."""
    projects = list(projects)
    if not projects:
        return {}
    by_stage = {gate.stage: gate for gate in Gate.objects.all()}
    found = {
        project.pk: Progress(project=project, gate=by_stage.get(NEXT_STAGE.get(project.stage)))
        for project in projects
    }
    pks = [pk for pk, entry in found.items() if entry.gate is not None]
    items = (
        ChecklistItem.objects.filter(project_id__in=pks)
        .select_related("criterion")
        .order_by("criterion__position", "criterion_id")
    )
    for item in items:
        entry = found[item.project_id]
        if item.criterion.gate_id != entry.gate.pk:
            continue
        entry.items.append(item)
        entry.count(item)
    # The open review of each project, else its latest one (did it ask for changes?).
    reviews = (
        GateReview.objects.filter(project_id__in=pks)
        .annotate(
            approve_count=Count("decisions", filter=Q(decisions__verdict=Decision.Verdict.APPROVE))
        )
        .order_by("project_id", "-opened_at", "-id")
    )
    seen = set()
    for review in reviews:
        entry = found[review.project_id]
        if review.project_id in seen or review.gate_id != entry.gate.pk:
            continue
        seen.add(review.project_id)
        if review.status == GateReview.Status.OPEN:
            review.gate = entry.gate
            entry.review, entry.approvals = review, review.approve_count
        else:
            entry.changes_requested = review.status == GateReview.Status.CHANGES_REQUESTED
    return found


@dataclass
class ReviewQueue:
    """What waits for a reviewer: open reviews they may decide on and have not, and the
    items of the next gates waiting for a verification, each oldest first."""

    reviews: list = field(default_factory=list)
    items: list = field(default_factory=list)
    progress: dict = field(default_factory=dict)


def review_queue(user) -> ReviewQueue:
    """The reviewer's queue in a fixed number of queries, with ``gates.may_review``'s rules:
    a reviewer of the gate's pool (any reviewer when it is empty) or a curator, never on a
    project of their own team."""
    queue = ReviewQueue()
    # The projects this person may review (never their own team's) and the gates whose
    # pool they are in, from the same rules as every other check.
    reviewable = Project.objects.restrict(user, "review")
    pools = [
        gate.pk for gate in Gate.objects.prefetch_related("reviewers") if gates.in_pool(user, gate)
    ]
    queue.reviews = list(
        GateReview.objects.filter(
            status=GateReview.Status.OPEN, project__in=reviewable, gate_id__in=pools
        )
        .exclude(decisions__reviewer=user)
        .select_related("project", "gate", "opened_by")
        .order_by("opened_at", "id")
    )
    waiting = Q(status=ItemStatus.ATTESTED) | Q(status=ItemStatus.NOT_APPLICABLE, na_accepted=False)
    queue.items = [
        item
        for item in ChecklistItem.objects.filter(
            waiting, project__in=reviewable, criterion__gate_id__in=pools
        )
        .select_related("project", "criterion__gate", "updated_by")
        .order_by("updated_at", "id")
        if item.criterion.gate.stage == NEXT_STAGE.get(item.project.stage)
    ]
    queue.progress = progress_for(review.project for review in queue.reviews)
    for review in queue.reviews:
        review.progress = queue.progress[review.project_id]
    return queue


def summarise(project: Project, gate: Gate | None, items, review=None, approvals=0) -> Progress:
    """``Progress`` of one project from what its page has already read: the items of its
    next gate, its open review and that review's approvals."""
    entry = Progress(
        project=project, gate=gate, review=review, items=list(items), approvals=approvals
    )
    for item in entry.items:
        entry.count(item)
    return entry


# A decision in the history, said as an act ("Rémi a approuvé le passage").
VERDICT_SAID = {
    Decision.Verdict.APPROVE: gettext_lazy("a approuvé le passage"),
    Decision.Verdict.APPROVE_WITH_CONDITIONS: gettext_lazy("a approuvé le passage sous conditions"),
    Decision.Verdict.REQUEST_CHANGES: gettext_lazy("a demandé des modifications"),
    Decision.Verdict.REJECT: gettext_lazy("a refusé le passage"),
}


def timeline(project: Project, transitions) -> list[dict]:
    """The project's story in time order: proposal, review requests, decisions, closings and
    stage changes (``transitions`` already read)."""
    entries = [{"kind": "proposed", "at": project.created_at}]
    reviews = project.reviews.select_related("gate", "opened_by").prefetch_related(
        "decisions__reviewer"
    )
    for review in reviews:
        entries.append({"kind": "review", "at": review.opened_at, "review": review})
        for decision in review.decisions.all():
            said = VERDICT_SAID[decision.verdict]
            entries.append(
                {"kind": "decision", "at": decision.at, "decision": decision, "said": said}
            )
        if review.closed_at and review.status != GateReview.Status.APPROVED:
            entries.append({"kind": "closed", "at": review.closed_at, "review": review})
    entries += [{"kind": "transition", "at": row.at, "transition": row} for row in transitions]
    order = {"proposed": 0, "review": 1, "decision": 2, "closed": 3, "transition": 4}
    return sorted(entries, key=lambda entry: (entry["at"], order[entry["kind"]]))
