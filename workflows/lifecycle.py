"""Outcomes beyond yes or no: the conditions of an approval, holds and compost.

The same discipline as ``services``: one function per use case, the project's row lock
first, permission through ``access`` and ``gates``, every refusal before any write, events
recorded under the lock and broadcast after commit.

A hold by reviewers is decided by the quorum of the project's hold gate (the next gate; the
commons gate for a commons): the first reviewer proposes it with a reason and a revisit
date, it is in force once that many reviewers back it; lifting it takes as many. A curator
places, lifts or withdraws a hold alone.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import texts
from notifications.models import Notification
from notifications.services import notify
from projects import access, events
from projects.errors import Conflict, Invalid
from projects.models import MAX_NOTE, MAX_TEXT, Hold, HoldBacking, Project

from . import gates, payloads, services
from .models import Condition, Lesson, StageTransition

User = get_user_model()


def _refuse(blockers: list[dict]) -> None:
    if blockers:
        first = blockers[0]
        raise Conflict(first["detail"], code=first["code"], blockers=blockers)


def curators():
    return User.objects.filter(groups__name="curators", is_active=True)


# Conditions


def _locked_condition(by, condition: Condition) -> tuple[Project, Condition]:
    project = services._lock(by, condition.project_id)
    condition = Condition.objects.select_related("review__gate", "criterion", "owner").get(
        pk=condition.pk
    )
    return project, condition


def _require_open(condition: Condition) -> None:
    if condition.status != Condition.Status.OPEN:
        raise Conflict(_("Cette condition est déjà close."), code="condition_closed")


@transaction.atomic
def meet_condition(*, by, condition: Condition, note: str = "") -> Condition:
    """A reviewer of the condition's gate (never on the team) or a curator says it is met."""
    project, condition = _locked_condition(by, condition)
    services.require_reviewer(by, project, condition.review.gate)
    _require_open(condition)
    if len(note or "") > MAX_NOTE:
        raise Invalid({"note": [_("%(limit)d caractères au plus.") % {"limit": MAX_NOTE}]})
    services.close_condition(
        project, condition, status=Condition.Status.MET, by=by, note=(note or "").strip()
    )
    return condition


@transaction.atomic
def waive_condition(*, by, condition: Condition, note: str) -> Condition:
    """A curator lifts a condition, saying why."""
    project, condition = _locked_condition(by, condition)
    access.require(access.is_curator(by), by)
    _require_open(condition)
    note = services._require_text(note, "note", MAX_NOTE)
    services.close_condition(project, condition, status=Condition.Status.WAIVED, by=by, note=note)
    return condition


def miss_condition(condition: Condition) -> bool:
    """The clock closes an open condition whose due date has passed and tells the gate's
    reviewers and the curators, who may hold the project or send it back. Returns whether
    it did (another clock, or the team, may have closed it first)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=condition.project_id)
        condition = Condition.objects.select_related("review__gate").get(pk=condition.pk)
        if condition.status != Condition.Status.OPEN or condition.due_on >= timezone.localdate():
            return False
        services.close_condition(project, condition, status=Condition.Status.MISSED, by=None)
        recipients = {
            *services._reviewers_of(project, condition.review.gate),
            *curators(),
        }
        notify(
            kind=Notification.Kind.CONDITION_MISSED,
            recipients=recipients,
            project=project,
            actor=None,
            text=texts.Message(
                texts.CONDITION_MISSED,
                {
                    "title": project.title,
                    "due": condition.due_on.isoformat(),
                    "text": condition.text[:120],
                },
            ),
            url=project.get_absolute_url(),
        )
    return True


# Holds


def _future(value, field: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise Invalid({field: [_("Ce champ est obligatoire.")]})
    if value <= timezone.localdate():
        raise Invalid({field: [_("La date doit être dans le futur.")]})
    return value


def _quorum(project: Project) -> int:
    gate = gates.hold_gate(project)
    return gate.quorum if gate else 1


def _hold_event(project: Project, hold: Hold) -> None:
    backings = list(hold.backings.select_related("reviewer"))
    events.record_event(project, events.HOLD_UPDATED, hold.pk, payloads.hold(hold, backings))


def _tell_about_hold(project: Project, hold: Hold, *, by, text) -> None:
    notify(
        kind=Notification.Kind.HOLD,
        recipients={*services._team(project), *curators(), hold.proposed_by},
        project=project,
        actor=by,
        text=text,
        url=project.get_absolute_url(),
    )


@transaction.atomic
def hold(*, by, project: Project, reason: str = "", revisit_on=None) -> Hold:
    """Propose a hold, back the one proposed, or (a curator, or the backing that reaches the
    quorum) put it in force: nothing advances until it is lifted."""
    project = services._lock(by, project.pk)
    access.require(gates.may_hold(by, project), by)
    live = gates.live_hold(project)
    _refuse(gates.hold_blockers(by, project, live))
    if live is None:
        reason = services._require_text(reason, "reason", MAX_NOTE)
        revisit_on = _future(revisit_on, "revisit_on")
        live = Hold.objects.create(
            project=project,
            stage=project.stage,
            reason=reason,
            revisit_on=revisit_on,
            proposed_by=by,
        )
    elif reason or revisit_on:
        raise Invalid(
            {"reason": [_("Une pause est déjà proposée : soutenez-la sans la réécrire.")]}
        )
    backed = 0
    if not access.is_curator(by):
        HoldBacking.objects.create(hold=live, reviewer=by, act=HoldBacking.Act.PLACE)
        backed = live.backings.filter(act=HoldBacking.Act.PLACE).count()
    if access.is_curator(by) or backed >= _quorum(project):
        live.placed_at = timezone.now()
        live.save(update_fields=["placed_at"])
        _tell_about_hold(
            project,
            live,
            by=by,
            text=texts.Message(
                texts.HOLD_PLACED,
                {
                    "title": project.title,
                    "date": live.revisit_on.isoformat(),
                    "reason": live.reason[:150],
                },
            ),
        )
    _hold_event(project, live)
    return live


@transaction.atomic
def lift_hold(*, by, project: Project, note: str = "") -> Hold:
    """Lift the hold in force (a curator, or the reviewers' quorum), or withdraw a proposal
    (a curator or its proposer). Lifting may advance the project at once, when its open
    review met every condition during the pause."""
    project = services._lock(by, project.pk)
    access.require(gates.may_hold(by, project), by)
    live = gates.live_hold(project)
    _refuse(gates.lift_blockers(by, project, live))
    if len(note or "") > MAX_NOTE:
        raise Invalid({"note": [_("%(limit)d caractères au plus.") % {"limit": MAX_NOTE}]})
    lifted = access.is_curator(by) or live.placed_at is None
    if not lifted:
        HoldBacking.objects.create(hold=live, reviewer=by, act=HoldBacking.Act.LIFT)
        lifted = live.backings.filter(act=HoldBacking.Act.LIFT).count() >= _quorum(project)
    if lifted:
        was_in_force = live.placed_at is not None
        live.lifted_at, live.lifted_by, live.lift_note = timezone.now(), by, (note or "").strip()
        live.save(update_fields=["lifted_at", "lifted_by", "lift_note"])
        if was_in_force:
            _tell_about_hold(
                project,
                live,
                by=by,
                text=texts.Message(
                    texts.HOLD_LIFTED,
                    {"title": project.title},
                ),
            )
    _hold_event(project, live)
    if lifted:
        services._advance_if_ready(project, by=by)
    return live


def remind_hold(hold: Hold) -> None:
    """The clock, on a hold's revisit date: tell the team, the curators and its proposer."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=hold.project_id)
        _tell_about_hold(
            project,
            hold,
            by=None,
            text=texts.Message(
                texts.HOLD_REVISIT,
                {"title": project.title},
            ),
        )


# Compost

MAX_LINKS = 10


def check_lesson(*, tried, worked, failed, reusable, links) -> dict:
    """The lesson's four texts (each required) and its links (http or https, at most 10)."""
    errors, lesson = {}, {}
    for field, value in (
        ("tried", tried),
        ("worked", worked),
        ("failed", failed),
        ("reusable", reusable),
    ):
        try:
            lesson[field] = services._require_text(value, field, MAX_TEXT)
        except Invalid as refusal:
            errors.update(refusal.extra["errors"])
    links = [str(link).strip() for link in (links or []) if str(link).strip()]
    if len(links) > MAX_LINKS:
        errors["links"] = [_("%(limit)d liens au plus.") % {"limit": MAX_LINKS}]
    else:
        for link in links:
            if services.bad_url(link):
                errors["links"] = [_("Saisissez des adresses web valides (http ou https).")]
                break
    if errors:
        raise Invalid(errors)
    return {**lesson, "links": links}


@transaction.atomic
def compost(
    *, by, project: Project, tried="", worked="", failed="", reusable="", links=(), rationale=""
) -> StageTransition:
    """The owner or a curator stops a project with its public lesson: the project goes to
    ``archived`` and the lesson joins the index."""
    project = services._lock(by, project.pk)
    access.require(access.can_archive(by, project), by)
    lesson = check_lesson(tried=tried, worked=worked, failed=failed, reusable=reusable, links=links)
    if len(rationale or "") > MAX_TEXT:
        raise Invalid({"rationale": [_("%(limit)d caractères au plus.") % {"limit": MAX_TEXT}]})
    option = next(o for o in gates.transitions_for(by, project) if o["name"] == "compost")
    _refuse(option["blockers"])
    row = services._transition(
        project,
        "compost",
        by=by,
        rationale=(rationale or "").strip() or _("Projet composté : sa leçon est publiée."),
    )
    published = Lesson.objects.create(project=project, transition=row, author=by, **lesson)
    events.record_event(project, events.LESSON_PUBLISHED, published.pk, payloads.lesson(published))
    return row


def lessons_for(user):
    """The lessons ``user`` may read: those of the projects they may read."""
    return (
        Lesson.objects.filter(project__in=Project.objects.visible_to(user))
        .select_related("project", "author", "transition")
        .order_by("-at", "-id")
    )
