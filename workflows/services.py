"""Every workflow write: checklists, gate reviews, decisions and stage transitions.

Each service opens a transaction, takes the project's row lock (``select_for_update``; on
SQLite the IMMEDIATE transaction serialises writers), re-reads what it depends on under that
lock, checks permission through ``access``, writes, records its events and returns. So two
reviewers deciding at once, or a decision racing a checklist edit, are applied one after the
other on fresh data and can never produce two transitions.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Notification
from notifications.services import message, notify
from projects import access, events
from projects import services as project_services
from projects.errors import Conflict, Forbidden, Invalid, NotFound
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, NEXT_STAGE, Project, Stage

from . import computed, gates
from .models import (
    ChecklistChange,
    ChecklistItem,
    Criterion,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    StageTransition,
)
from .serializers import ChecklistItemSerializer, GateReviewSerializer, StageTransitionSerializer

User = get_user_model()


def _team(project: Project):
    return User.objects.filter(memberships__project=project)


def _followers(project: Project):
    """Team members follow their project implicitly; others follow it explicitly."""
    return User.objects.filter(
        Q(memberships__project=project) | Q(follow__project=project)
    ).distinct()


def _reviewers_of(project: Project, gate: Gate):
    pool = gate.reviewers.all()
    people = pool if pool.exists() else User.objects.filter(groups__name="reviewers")
    return people.exclude(memberships__project=project)


@transaction.atomic
def propose_project(*, by, themes=(), territories=(), **fields) -> Project:
    """Create a project at ``idea`` with ``by`` as owner, and hand out its first checklist."""
    project = project_services.create_project(
        by=by, themes=themes, territories=territories, **fields
    )
    issue_checklist(project)
    return project


def issue_checklist(project: Project) -> None:
    """Give the project one item per active criterion of its next gate. Existing answers
    are kept (a project sent back finds its checklist as it left it)."""
    stage = NEXT_STAGE.get(project.stage)
    if stage is None:
        return
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                project=project,
                criterion=criterion,
                required=criterion.level == Criterion.Level.REQUIRED,
            )
            for criterion in Criterion.objects.filter(gate__stage=stage, active=True)
        ],
        ignore_conflicts=True,
    )


def _lock(by, project_id) -> Project:
    return access.access_project(by, project_id, lock=True)


def _locked_item(by, item: ChecklistItem) -> tuple[Project, ChecklistItem]:
    """The item and its project, read fresh under the project's lock."""
    # The project's row lock first, then the item read under it (fresh on PostgreSQL too).
    project = _lock(by, item.project_id)
    try:
        item = ChecklistItem.objects.select_related("criterion__gate").get(
            pk=item.pk, project=project
        )
    except ChecklistItem.DoesNotExist:
        raise NotFound() from None
    if item.criterion.gate.stage != NEXT_STAGE.get(project.stage):
        raise Conflict(
            _("Ce critère n'appartient pas à la prochaine étape du projet."), code="wrong_gate"
        )
    if item.criterion.computed:
        raise Conflict(
            _("Ce critère est calculé : personne ne l'atteste ni ne le vérifie à la main."),
            code="computed_criterion",
        )
    return project, item


def _record_item_change(project, item, *, by, from_status, note="") -> None:
    item.updated_by = by
    item.updated_at = timezone.now()
    item.save()
    ChecklistChange.objects.create(
        item=item, actor=by, from_status=from_status, to_status=item.status, note=note
    )
    events.record_event(
        project, events.CHECKLIST_UPDATED, item.pk, ChecklistItemSerializer(item).data
    )


def _require_text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid({field: [_("Ce champ est obligatoire.")]})
    if len(value) > limit:
        raise Invalid({field: [_("%(limit)d caractères au plus.") % {"limit": limit}]})
    return value


@transaction.atomic
def attest_item(*, by, item: ChecklistItem, evidence_url="", evidence_text="") -> ChecklistItem:
    """The team gives evidence for a criterion; a verified item goes back to ``attested``
    when its evidence changes, so reviewers see the new evidence."""
    project, item = _locked_item(by, item)
    access.require(access.can_edit(by, project), by)
    evidence_url = (evidence_url or "").strip()
    evidence_text = (evidence_text or "").strip()
    errors = {}
    if evidence_url:
        if len(evidence_url) > MAX_URL:
            errors["evidence_url"] = [_("%(limit)d caractères au plus.") % {"limit": MAX_URL}]
        else:
            try:
                URLValidator(schemes=["http", "https"])(evidence_url)
            except ValidationError:
                errors["evidence_url"] = [_("Saisissez une adresse web valide (http ou https).")]
    if len(evidence_text) > MAX_TEXT:
        errors["evidence_text"] = [_("%(limit)d caractères au plus.") % {"limit": MAX_TEXT}]
    wanted = item.criterion.evidence
    if wanted == Criterion.Evidence.LINK and not evidence_url:
        errors.setdefault("evidence_url", [_("Ce critère demande un lien.")])
    elif wanted == Criterion.Evidence.TEXT and not evidence_text:
        errors.setdefault("evidence_text", [_("Ce critère demande un texte.")])
    elif not evidence_url and not evidence_text:
        errors.setdefault("evidence_text", [_("Donnez un lien ou un texte.")])
    if errors:
        raise Invalid(errors)
    before = item.status
    item.status = ItemStatus.ATTESTED
    item.evidence_url, item.evidence_text = evidence_url, evidence_text
    item.justification, item.na_accepted = "", False
    _record_item_change(project, item, by=by, from_status=before)
    return item


@transaction.atomic
def claim_not_applicable(*, by, item: ChecklistItem, justification: str) -> ChecklistItem:
    """The team says a criterion does not apply, and why; a reviewer must accept it."""
    project, item = _locked_item(by, item)
    access.require(access.can_edit(by, project), by)
    justification = _require_text(justification, "justification", MAX_NOTE)
    before = item.status
    item.status = ItemStatus.NOT_APPLICABLE
    item.justification, item.na_accepted = justification, False
    _record_item_change(project, item, by=by, from_status=before, note=justification)
    return item


@transaction.atomic
def verify_item(*, by, item: ChecklistItem, note="") -> ChecklistItem:
    """A reviewer confirms the evidence (or accepts a not-applicable claim). This may
    complete the conditions of the open review and advance the project."""
    project, item = _locked_item(by, item)
    access.require(gates.may_review(by, project, item.criterion.gate), by)
    if item.status not in (ItemStatus.ATTESTED, ItemStatus.NOT_APPLICABLE) or gates.is_done(item):
        raise Conflict(_("Il n'y a rien à vérifier sur ce critère."), code="nothing_to_verify")
    if len(note or "") > MAX_NOTE:
        raise Invalid({"note": [_("%(limit)d caractères au plus.") % {"limit": MAX_NOTE}]})
    before = item.status
    if item.status == ItemStatus.NOT_APPLICABLE:
        item.na_accepted = True
    else:
        item.status = ItemStatus.VERIFIED
    item.review_note = (note or "").strip()
    _record_item_change(project, item, by=by, from_status=before, note=item.review_note)
    _advance_if_ready(project, by=by)
    return item


@transaction.atomic
def reject_item(*, by, item: ChecklistItem, note: str) -> ChecklistItem:
    """A reviewer refuses the evidence or the claim, with a note for the team."""
    project, item = _locked_item(by, item)
    access.require(gates.may_review(by, project, item.criterion.gate), by)
    if item.status == ItemStatus.TODO:
        raise Conflict(_("Ce critère n'a pas encore été attesté."), code="nothing_to_verify")
    note = _require_text(note, "note", MAX_NOTE)
    before = item.status
    item.status, item.na_accepted, item.review_note = ItemStatus.REJECTED, False, note
    _record_item_change(project, item, by=by, from_status=before, note=note)
    return item


def update_item(
    *, by, item, status, evidence_url="", evidence_text="", justification="", note=""
) -> ChecklistItem:
    """One entry point for the API and the forms: the wanted status picks the service."""
    if status == ItemStatus.ATTESTED:
        return attest_item(by=by, item=item, evidence_url=evidence_url, evidence_text=evidence_text)
    if status == ItemStatus.NOT_APPLICABLE:
        return claim_not_applicable(by=by, item=item, justification=justification)
    if status == ItemStatus.VERIFIED:
        return verify_item(by=by, item=item, note=note)
    if status == ItemStatus.REJECTED:
        return reject_item(by=by, item=item, note=note)
    raise Invalid({"status": [_("Statut inconnu.")]})


@transaction.atomic
def open_review(*, by, project: Project) -> GateReview:
    """The team asks to pass the next gate; every required item must be answered."""
    project = _lock(by, project.pk)
    access.require(access.can_edit(by, project), by)
    blockers = gates.opening_blockers(project)
    if blockers:
        raise Conflict(blockers[0]["detail"], code=blockers[0]["code"], blockers=blockers)
    review = GateReview.objects.create(project=project, gate=gates.next_gate(project), opened_by=by)
    notify(
        kind=Notification.Kind.REVIEW_OPENED,
        recipients=_reviewers_of(project, review.gate),
        project=project,
        actor=by,
        text=message(
            gettext_lazy("« %(title)s » demande le passage à l'étape %(stage)s."),
            {"title": project.title, "stage": review.gate},
        ),
        url=project.get_absolute_url(),
    )
    events.record_event(project, events.REVIEW_OPENED, review.pk, GateReviewSerializer(review).data)
    return review


def _locked_review(by, review: GateReview) -> tuple[Project, GateReview]:
    """The review and its project, read fresh under the project's lock."""
    # The project's row lock first, then the review read under it: on PostgreSQL a row read
    # in the statement that waited for another row's lock may be stale.
    project = _lock(by, review.project_id)
    review = GateReview.objects.select_related("gate", "opened_by").get(pk=review.pk)
    return project, review


def _require_open(review: GateReview) -> None:
    if review.status != GateReview.Status.OPEN:
        raise Conflict(_("Cette revue est close."), code="review_closed")


@transaction.atomic
def withdraw_review(*, by, review: GateReview) -> GateReview:
    project, review = _locked_review(by, review)
    access.require(access.can_edit(by, project), by)
    _require_open(review)
    _close(project, review, GateReview.Status.WITHDRAWN)
    return review


def _close(project: Project, review: GateReview, status: str) -> None:
    review.status, review.closed_at = status, timezone.now()
    review.save(update_fields=["status", "closed_at"])
    events.record_event(
        project, events.REVIEW_DECIDED, review.pk, GateReviewSerializer(review).data
    )


def require_reviewer(by, project: Project, gate: Gate) -> None:
    """Refuse (401/403) anyone who may not decide on a review of ``gate`` for ``project``,
    saying so when the reason is a conflict of interest."""
    if gates.may_review(by, project, gate):
        return
    if access.is_team_member(by, project):
        raise Forbidden(
            _("Un membre de l'équipe ne relit pas son propre projet."),
            code="conflict_of_interest",
        )
    access.require(False, by)


@transaction.atomic
def decide(*, by, review: GateReview, verdict: str, rationale: str) -> Decision:
    """A reviewer votes. ``reject`` closes the review, ``request_changes`` returns it to the
    team, and the approval that completes the conditions advances the project here.

    A closed review is refused first, before the permission queries: of reviewers racing
    on the same review, all but the first get this cheap refusal, read under the lock."""
    project, review = _locked_review(by, review)
    _require_open(review)
    require_reviewer(by, project, review.gate)
    if verdict not in Decision.Verdict.values:
        raise Invalid({"verdict": [_("Choix inconnu.")]})
    rationale = _require_text(rationale, "rationale", MAX_TEXT)
    if review.decisions.filter(reviewer=by).exists():
        raise Conflict(_("Vous avez déjà décidé sur cette revue."), code="already_decided")
    decision = Decision.objects.create(
        review=review, reviewer=by, verdict=verdict, rationale=rationale
    )
    # Read the votes once, this one included: the blockers and the event payload use them.
    prefetch_related_objects(
        [review],
        Prefetch(
            "decisions",
            queryset=gates.with_team_flag(Decision.objects.select_related("reviewer")),
        ),
    )
    notify(
        kind=Notification.Kind.DECISION,
        recipients=_team(project),
        project=project,
        actor=by,
        text=message(
            gettext_lazy("%(who)s sur « %(title)s » : %(verdict)s."),
            {
                "who": by.get_full_name() or by.get_username(),
                "title": project.title,
                "verdict": Decision.Verdict(verdict).label,
            },
        ),
        url=project.get_absolute_url(),
    )
    if verdict == Decision.Verdict.REJECT:
        _close(project, review, GateReview.Status.REJECTED)
    elif verdict == Decision.Verdict.REQUEST_CHANGES:
        _close(project, review, GateReview.Status.CHANGES_REQUESTED)
    elif not _advance_if_ready(project, by=by, review=review):
        events.record_event(
            project, events.REVIEW_DECIDED, review.pk, GateReviewSerializer(review).data
        )
    return decision


def refresh_computed(project: Project, *, by=None) -> None:
    """Set the project's computed items of its next gate from their measures, then advance
    if that completes the open review. Called under the project's lock by the services that
    change a measure (a reuse verified, refused or lapsed) and when a threshold changes."""
    items = ChecklistItem.objects.filter(
        project=project, criterion__computed__gt="", criterion__gate__stage=project.next_stage
    ).select_related("criterion__gate")
    changed = False
    for item in items:
        met = computed.is_met(item.criterion.computed, project, item.criterion.gate)
        wanted = ItemStatus.VERIFIED if met else ItemStatus.TODO
        if item.status == wanted:
            continue
        before, item.status = item.status, wanted
        _record_item_change(project, item, by=None, from_status=before, note=_("Calculé."))
        changed = True
    if changed:
        _advance_if_ready(project, by=by)


def _advance_if_ready(project: Project, *, by, review: GateReview | None = None) -> bool:
    """Fire ``advance`` when the open review meets every condition. Called under the lock."""
    review = review or gates.open_review(project)
    if review is None:
        return False
    items = list(gates.checklist_for(project, review.gate))
    if gates.advance_blockers(project, review, items):
        return False
    _transition(
        project, "advance", by=by, review=review, items=items, rationale=_("Passage approuvé.")
    )
    return True


def _transition(
    project: Project, name: str, *, by, rationale: str, review=None, items=None, **kwargs
):
    """Move the stage through its FSM method and write the audit row first: the database
    refuses a stage change that is not the target of the newest StageTransition.

    ``review`` is the open review whose approval advances the project: it closes as
    approved. Without one, a review still open is withdrawn. ``items`` is the checklist
    already read under the lock, if any; it is snapshotted in the audit row."""
    before = project.stage
    if items is None:
        items = gates.checklist_for(project, review.gate if review else None)
    snapshot = [
        {
            "criterion": item.criterion.code,
            "principle": item.criterion.principle,
            "required": item.required,
            "status": item.status,
            "na_accepted": item.na_accepted,
            "evidence_url": item.evidence_url,
            "evidence_text": item.evidence_text,
            "justification": item.justification,
        }
        for item in items
    ]
    getattr(project, name)(**kwargs)
    row = StageTransition.objects.create(
        project=project,
        name=name,
        from_stage=before,
        to_stage=project.stage,
        actor=by,
        review=review,
        rationale=rationale,
        checklist=snapshot,
    )
    project.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    closed = review or gates.open_review(project)
    if closed is not None:
        closed.status = GateReview.Status.APPROVED if review else GateReview.Status.WITHDRAWN
        closed.closed_at = timezone.now()
        closed.save(update_fields=["status", "closed_at"])
    issue_checklist(project)
    notify(
        kind=Notification.Kind.STAGE_CHANGED,
        recipients=_followers(project),
        project=project,
        actor=by,
        text=message(
            gettext_lazy("« %(title)s » passe de l'étape %(from)s à l'étape %(to)s."),
            {"title": project.title, "from": Stage(before).label, "to": Stage(project.stage).label},
        ),
        url=project.get_absolute_url(),
    )
    stage_changed = {
        "from": before,
        "to": project.stage,
        "name": name,
        "transition": StageTransitionSerializer(row).data,
    }
    stream = [(events.STAGE_CHANGED, project.pk, stage_changed)]
    if closed is not None:
        stream.insert(0, (events.REVIEW_DECIDED, closed.pk, GateReviewSerializer(closed).data))
    events.record_events(project, stream)
    # The new gate's computed items start from what is already measured.
    refresh_computed(project, by=by)
    return row


def _manual_transition(*, by, project: Project, name: str, allowed, rationale: str):
    project = _lock(by, project.pk)
    access.require(allowed(by, project), by)
    rationale = _require_text(rationale, "rationale", MAX_TEXT)
    option = next(o for o in gates.transitions_for(by, project) if o["name"] == name)
    if option["blockers"]:
        first = option["blockers"][0]
        raise Conflict(first["detail"], code=first["code"], blockers=option["blockers"])
    kwargs = {"to": gates.reopen_target(project)} if name == "reopen" else {}
    return _transition(project, name, by=by, rationale=rationale, **kwargs)


@transaction.atomic
def send_back(*, by, project: Project, rationale: str) -> StageTransition:
    """Reviewers and curators return a project one stage, saying why."""
    return _manual_transition(
        by=by, project=project, name="send_back", allowed=access.can_review, rationale=rationale
    )


@transaction.atomic
def archive(*, by, project: Project, rationale: str) -> StageTransition:
    """The owner or a curator stops a project; an open review is withdrawn."""
    return _manual_transition(
        by=by, project=project, name="archive", allowed=access.can_archive, rationale=rationale
    )


@transaction.atomic
def reopen(*, by, project: Project, rationale: str) -> StageTransition:
    """Curators bring an archived project back to the stage it left."""
    return _manual_transition(
        by=by, project=project, name="reopen", allowed=access.can_reopen, rationale=rationale
    )


@transaction.atomic
def advance(*, by, project: Project) -> StageTransition:
    """Fire ``advance`` by hand, e.g. after a curator lowered a quorum that an open review
    now meets. Refused with the blockers otherwise."""
    project = _lock(by, project.pk)
    access.require(_may_advance(by, project), by)
    review = gates.open_review(project)
    blockers = gates.advance_blockers(project, review)
    if blockers:
        raise Conflict(blockers[0]["detail"], code=blockers[0]["code"], blockers=blockers)
    _advance_if_ready(project, by=by, review=review)
    return project.transitions.order_by("-id").first()


def _may_advance(by, project: Project) -> bool:
    return access.can_edit(by, project) or access.can_review(by, project)


# Who may fire each transition by name; the services check the same functions.
TRANSITION_RIGHTS = {
    "advance": _may_advance,
    "send_back": access.can_review,
    "archive": access.can_archive,
    "reopen": access.can_reopen,
}


def may_fire(by, project: Project, name: str) -> bool:
    """Whether ``by`` may fire the transition ``name`` on ``project`` at all (its blockers
    aside); NotFound for a name that is no transition."""
    if name not in TRANSITION_RIGHTS:
        raise NotFound(_("Transition inconnue."))
    return TRANSITION_RIGHTS[name](by, project)


def fire(*, by, project: Project, name: str, rationale: str = "") -> StageTransition:
    """The API's ``POST transitions/{name}/``."""
    if name == "advance":
        return advance(by=by, project=project)
    manual = {"send_back": send_back, "archive": archive, "reopen": reopen}
    if name not in manual:
        raise NotFound(_("Transition inconnue."))
    return manual[name](by=by, project=project, rationale=rationale)
