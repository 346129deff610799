"""Gate conditions as plain predicates: the services enforce them under the project's lock,
the API and the pages reuse them to explain *why* a project cannot move.

A blocker is ``{"code", "detail"}`` plus ``criteria`` (codes) or ``missing`` (a count).
"""

from contextlib import contextmanager

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects import access, stages
from projects.errors import NotFound
from projects.models import NEXT_STAGE, PATH, Hold, Membership, Project, Stage, live_hold
from projects.reading import once

from .models import ChecklistItem, Decision, Gate, GateReview, ItemStatus

READY_TO_OPEN = (ItemStatus.ATTESTED, ItemStatus.VERIFIED, ItemStatus.NOT_APPLICABLE)
# The verdicts that count towards a gate's quorum.
APPROVALS = (Decision.Verdict.APPROVE, Decision.Verdict.APPROVE_WITH_CONDITIONS)


def next_gate(project: Project) -> Gate | None:
    stage = NEXT_STAGE.get(project.stage)
    if not stage:
        return None
    return once(("gate", stage), lambda: Gate.objects.filter(stage=stage).first())


def checklist_for(project: Project, gate: Gate | None = None):
    """The project's items for ``gate`` (default: its next gate), criteria attached. Within
    ``one_reading`` the same queryset, so that its rows are read once."""
    gate = gate or next_gate(project)
    if gate is None:
        return ChecklistItem.objects.none()
    gate_id = getattr(gate, "pk", gate)
    return once(
        ("checklist", project.pk, gate_id),
        lambda: (
            ChecklistItem.objects.filter(project=project, criterion__gate=gate_id)
            .select_related("criterion", "updated_by")
            .order_by("criterion__position", "criterion_id")
        ),
    )


def open_review(project: Project) -> GateReview | None:
    return once(
        ("open_review", project.pk),
        lambda: (
            project.reviews.filter(status=GateReview.Status.OPEN)
            .select_related("gate", "opened_by")
            .first()
        ),
    )


def hold_gate(project: Project) -> Gate | None:
    """The gate whose reviewers and quorum decide a hold: the next one, or for a commons
    the commons gate itself."""
    stage = NEXT_STAGE.get(project.stage) or (
        Stage.COMMONS if project.stage == Stage.COMMONS else None
    )
    return Gate.objects.filter(stage=stage).prefetch_related("reviewers").first() if stage else None


def is_done(item: ChecklistItem) -> bool:
    """Verified, or not applicable with the reviewer's acceptance."""
    return item.status == ItemStatus.VERIFIED or (
        item.status == ItemStatus.NOT_APPLICABLE and item.na_accepted
    )


def with_team_flag(decisions):
    """``decisions`` (a queryset) each annotated with ``by_team``: whether its reviewer is
    now on the team of the review's project."""
    team = Membership.objects.filter(
        project_id=OuterRef("review__project_id"), user_id=OuterRef("reviewer_id")
    )
    return decisions.annotate(by_team=Exists(team))


def votes(review: GateReview) -> list[Decision]:
    """The review's decisions with ``by_team``, from a prefetch made with ``with_team_flag``
    when there is one. A vote by someone now on the team does not count: conflict of
    interest holds in time, not only at the moment of voting."""
    cached = getattr(review, "_prefetched_objects_cache", {}).get("decisions")
    if cached is not None and all(hasattr(d, "by_team") for d in cached):
        return list(cached)
    return once(
        ("votes", review.pk),
        lambda: list(with_team_flag(review.decisions.select_related("reviewer"))),
    )


blocker = stages.blocker


def opening_blockers(project: Project, items=None) -> list[dict]:
    """What stops the team from asking to pass the next gate."""
    gate = next_gate(project)
    if gate is None:
        return [blocker("no_next_gate", _("Ce projet n'a pas d'étape suivante."))]
    if open_review(project) is not None:
        return [blocker("review_already_open", _("Une revue de passage est déjà ouverte."))]
    items = checklist_for(project, gate) if items is None else items
    # A computed criterion is not the team's to answer: it only blocks the advance.
    missing = [
        i.criterion.code
        for i in items
        if i.required and not i.criterion.computed and i.status not in READY_TO_OPEN
    ]
    if missing:
        return [
            blocker(
                "checklist_incomplete",
                ngettext(
                    "%(count)d critère requis n'est pas encore attesté.",
                    "%(count)d critères requis ne sont pas encore attestés.",
                    len(missing),
                )
                % {"count": len(missing)},
                criteria=missing,
            )
        ]
    return []


def advance_blockers(project: Project, review: GateReview | None, items=None) -> list[dict]:
    """What stops ``advance``: an open review with quorum, no reject, every required
    criterion verified or accepted as not applicable."""
    if project.stage not in NEXT_STAGE:
        return [blocker("no_next_gate", _("Ce projet n'a pas d'étape suivante."))]
    if review is None or review.status != GateReview.Status.OPEN:
        return [blocker("no_open_review", _("Aucune revue de passage n'est ouverte."))]
    found = []
    cast = votes(review)
    verdicts = [decision.verdict for decision in cast if not decision.by_team]
    if Decision.Verdict.REJECT in verdicts:
        found.append(blocker("rejected", _("Un relecteur a refusé le passage.")))
    missing = review.gate.quorum - sum(verdict in APPROVALS for verdict in verdicts)
    if missing > 0:
        discounted = [d.reviewer.get_username() for d in cast if d.by_team]
        detail = ngettext(
            "Il manque %(count)d approbation.",
            "Il manque %(count)d approbations.",
            missing,
        ) % {"count": missing}
        if discounted:
            detail += " " + ngettext(
                "Le vote de %(count)d membre de l'équipe ne compte pas.",
                "Les votes de %(count)d membres de l'équipe ne comptent pas.",
                len(discounted),
            ) % {"count": len(discounted)}
        found.append(blocker("approvals_missing", detail, missing=missing, discounted=discounted))
    items = checklist_for(project, review.gate) if items is None else items
    unverified = [
        i.criterion.code
        for i in items
        if i.required and not i.criterion.computed and not is_done(i)
    ]
    short = [
        i.criterion.code for i in items if i.required and i.criterion.computed and not is_done(i)
    ]
    if short:
        needed = review.gate.reuses_required
        found.append(
            blocker(
                "reuses_missing",
                ngettext(
                    "Il faut %(count)d réutilisation vérifiée par une organisation hors de "
                    "l'équipe.",
                    "Il faut %(count)d réutilisations vérifiées par des organisations hors de "
                    "l'équipe.",
                    needed,
                )
                % {"count": needed},
                criteria=short,
            )
        )
    if unverified:
        found.append(
            blocker(
                "criteria_unverified",
                ngettext(
                    "%(count)d critère requis n'est pas encore vérifié.",
                    "%(count)d critères requis ne sont pas encore vérifiés.",
                    len(unverified),
                )
                % {"count": len(unverified)},
                criteria=unverified,
            )
        )
    return found


def may_hold(user, project: Project) -> bool:
    """Curators, and the reviewers of the project's hold gate (never its team)."""
    if access.is_curator(user):
        return True
    return access.can_review(user, project) and may_review(user, project, hold_gate(project))


def hold_blockers(user, project: Project, hold: Hold | None) -> list[dict]:
    """What stops ``user`` from proposing, backing or placing a hold now."""
    if project.stage not in PATH:
        return [blocker("wrong_stage", _("Un projet archivé ne peut pas être mis en pause."))]
    if hold is not None and hold.placed_at is not None:
        return [blocker("already_held", _("Le projet est déjà en pause."))]
    if hold is not None and backed(user, hold, "place"):
        return [blocker("already_backed", _("Vous soutenez déjà cette pause."))]
    return []


def lift_blockers(user, project: Project, hold: Hold | None) -> list[dict]:
    """What stops ``user`` from lifting (or backing the lifting of) the live hold."""
    if hold is None:
        return [blocker("not_held", _("Le projet n'est pas en pause."))]
    if hold.placed_at is None and not (access.is_curator(user) or hold.proposed_by_id == user.pk):
        return [blocker("not_held", _("Cette pause n'est que proposée : soutenez-la ou non."))]
    if backed(user, hold, "lift"):
        return [blocker("already_backed", _("Vous soutenez déjà la levée de cette pause."))]
    return []


def backed(user, hold: Hold, act: str) -> bool:
    """Whether ``user`` already backs ``act`` on the hold (a visitor backs nothing)."""
    return user.is_authenticated and hold.backings.filter(reviewer=user, act=act).exists()


def may_review(user, project: Project, gate: Gate | None) -> bool:
    """A reviewer of the gate's pool (any reviewer when the pool is empty), or a curator;
    never a member of the project's team."""
    return gate is not None and access.can_review(user, project) and in_pool(user, gate)


def in_pool(user, gate: Gate) -> bool:
    """A curator, or a reviewer of the gate's pool (any reviewer when the pool is empty);
    reads ``gate.reviewers`` from a prefetch when there is one, or the flags read with the
    review under the lock."""
    if getattr(gate, "pool_is_open", False) or getattr(gate, "in_pool", False):
        return True  # read with the review (``services._locked_review``)
    if access.is_curator(user):
        return True
    if hasattr(gate, "in_pool"):
        return False
    pool = {person.pk for person in gate.reviewers.all()}
    return not pool or user.pk in pool


def reopen_target(project: Project) -> str | None:
    """The stage an archived project left, read from its newest transition."""
    newest = project.transitions.order_by("-id").first()
    if project.stage != Stage.ARCHIVED or newest is None:
        return None
    return newest.from_stage


@contextmanager
def known(project: Project, review: GateReview | None, items):
    """Within the block, the gate's condition of ``advance`` reads this review and these
    items (already read, under the lock in the services) instead of reading them again."""
    project._gate_facts = (project.stage, review, items)
    try:
        yield
    finally:
        del project._gate_facts


def _gate_blockers(project: Project) -> list[dict]:
    """The gate's condition of ``Project.advance``: an open review with quorum, no reject,
    every required criterion verified."""
    stage, review, items = getattr(project, "_gate_facts", (None, None, None))
    if stage != project.stage:
        review = open_review(project)
        items = list(checklist_for(project, review.gate)) if review else []
    return advance_blockers(project, review, items)


# Added to ``Project.advance`` when workflows loads (``apps.WorkflowsConfig.ready``).
GATE_MET = stages.Condition(_gate_blockers)


def transitions_for(user, project: Project) -> list[dict]:
    """What ``user`` may do now on ``project``, each with its blockers: asking for the next
    gate's review, then every transition of the stage machine (``projects.stages``)."""
    review = open_review(project)
    hold = live_hold(project)
    holder = may_hold(user, project)
    items = list(checklist_for(project))
    opening = stages.option_entry(
        "open_review", access.can_edit(user, project), opening_blockers(project, items)
    )
    # The hold pauses the project at its stage: not a stage change, so not a transition
    # of the stage machine, but offered beside them with its blockers.
    pause = [
        stages.option_entry(
            "hold", holder, hold_blockers(user, project, hold), rationale_required=True
        ),
        stages.option_entry("lift_hold", holder, lift_blockers(user, project, hold)),
    ]
    with known(project, review, items):
        return [opening, *stages.options(project, user), *pause]


def transition_named(project: Project, name: str):
    """The transition method ``name`` of the project's stage machine; NotFound otherwise."""
    method = stages.find(type(project), name)
    if method is None:
        raise NotFound(_("Transition inconnue."))
    return method
