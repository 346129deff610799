"""Every workflow write: checklists, gate reviews, decisions and stage transitions.

Each service opens a transaction, takes the project's row lock (``select_for_update``; on
SQLite the IMMEDIATE transaction serialises writers), re-reads what it depends on under that
lock, checks permission through ``access``, writes, records its events and returns. So two
reviewers deciding at once, or a decision racing a checklist edit, are applied one after the
other on fresh data and can never produce two transitions.
"""

import datetime
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import texts
from notifications.models import Notification
from notifications.services import Notice, notify, notify_all, settings_annotations
from projects import access, events, stages
from projects import services as project_services
from projects.errors import Conflict, Forbidden, Invalid, NotFound
from projects.models import (
    MAX_NOTE,
    MAX_TEXT,
    MAX_URL,
    NEXT_STAGE,
    PREVIOUS_STAGE,
    Follow,
    Hold,
    Membership,
    Project,
    Role,
    Stage,
    hold_known,
)
from projects.permissions import sync_permissions

from . import computed, gates, payloads, signals
from .models import (
    ChecklistChange,
    ChecklistItem,
    Condition,
    Criterion,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    Said,
    StageTransition,
)

User = get_user_model()


def _team(project: Project):
    return User.objects.filter(memberships__project=project)


def _concerned_ids(project: Project, review: GateReview | None = None):
    """The ids of the team and the followers, and of the voters on ``review`` if given: one
    subquery that the database answers from their indexes. Filtering the accounts on an OR
    of joins or of EXISTS would read every account of the site at each stage change."""
    others = [Follow.objects.filter(project=project).order_by().values("user_id")]
    if review is not None:
        others.append(Decision.objects.filter(review=review).order_by().values("reviewer_id"))
    return Membership.objects.filter(project=project).order_by().values("user_id").union(*others)


def _followers(project: Project):
    """Team members follow their project implicitly; others follow it explicitly."""
    return User.objects.filter(pk__in=_concerned_ids(project))


def _reviewers_of(project: Project, gate: Gate):
    pool = gate.reviewers.all()
    people = pool if pool.exists() else User.objects.filter(groups__name="reviewers")
    return people.exclude(memberships__project=project)


@transaction.atomic
def propose_project(*, by, themes=(), territories=(), **fields) -> Project:
    """Propose a project, the only way one is created: it starts at ``idea`` with ``by`` as
    its owner and receives the checklist of its first gate."""
    access.require(by.is_authenticated and by.is_active, by)
    project = Project()
    project_services.apply_fields(project, fields)
    project.save()
    project.themes.set(themes)
    project.territories.set(territories)
    Membership.objects.create(project=project, user=by, role=Role.OWNER)
    sync_permissions(project)
    issue_checklist(project)
    return project


@transaction.atomic
def delete_project(*, by, project: Project) -> None:
    """Delete a project that never left ``idea``; once it has a history (a stage change or a
    hold, both kept for good), archive it instead."""
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_delete(by, project), by)
    history = StageTransition.objects.filter(project=project).exists() or project.holds.exists()
    if project.stage != Stage.IDEA or history:
        raise Conflict(
            _("Ce projet a un historique : archivez-le plutôt que de le supprimer."),
            code="has_history",
        )
    events.announce_access_change(project.pk)
    project.delete()


def issue_checklist(project: Project) -> None:
    """Give the project one item per active criterion of its next gate. Existing answers
    are kept (a project sent back finds its checklist as it left it)."""
    stage = NEXT_STAGE.get(project.stage)
    if stage is None:
        return
    # One INSERT ... SELECT: the criteria are read by the statement that writes the items.
    items, criteria, gates_table = (
        ChecklistItem._meta.db_table,
        Criterion._meta.db_table,
        Gate._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {items} (project_id, criterion_id, required, status, evidence_url,
                    evidence_text, justification, na_accepted, review_note, updated_at)
                SELECT %s, c.id, c.level = %s, %s, '', '', '', %s, '', %s
                FROM {criteria} c JOIN {gates_table} g ON g.id = c.gate_id
                WHERE g.stage = %s AND c.active = %s
                ON CONFLICT (project_id, criterion_id) DO NOTHING""",
            [
                project.pk,
                Criterion.Level.REQUIRED,
                ItemStatus.TODO,
                False,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                stage,
                True,
            ],
        )


def _lock(by, project_id) -> Project:
    return access.access_project(by, project_id, lock=True)


def _locked_item(
    by, item: ChecklistItem, *, under_condition: bool = False
) -> tuple[Project, ChecklistItem]:
    """The item and its project, read fresh under the project's lock. With
    ``under_condition`` an item of a passed gate is accepted too while an open condition
    names its criterion (new evidence is how the team meets it)."""
    # The project's row lock first, then the item read under it (fresh on PostgreSQL too).
    project = _lock(by, item.project_id)
    try:
        item = ChecklistItem.objects.select_related("criterion__gate").get(
            pk=item.pk, project=project
        )
    except ChecklistItem.DoesNotExist:
        raise NotFound() from None
    conditioned = under_condition and (
        project.conditions.filter(criterion=item.criterion, status=Condition.Status.OPEN).exists()
    )
    if item.criterion.gate.stage != NEXT_STAGE.get(project.stage) and not conditioned:
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
    events.record_event(project, events.CHECKLIST_UPDATED, item.pk, payloads.checklist_item(item))


def bad_url(value: str) -> bool:
    """Whether ``value`` is not an http(s) address of at most MAX_URL characters."""
    if len(value) > MAX_URL:
        return True
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return True
    return False


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
    when its evidence changes, so reviewers see the new evidence. New evidence on the
    criterion of an open condition meets that condition."""
    project, item = _locked_item(by, item, under_condition=True)
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
    for condition in project.conditions.filter(
        criterion=item.criterion, status=Condition.Status.OPEN
    ):
        close_condition(
            project,
            condition,
            status=Condition.Status.MET,
            by=by,
            note=_("Nouvelle preuve sur le critère."),
        )
    return item


def close_condition(project: Project, condition: Condition, *, status: str, by, note="") -> None:
    """Write the outcome of an open condition (once: the database refuses a second) and
    record its event. Called under the project's lock."""
    condition.status, condition.closed_at = status, timezone.now()
    condition.closed_by, condition.note = by, note
    condition.save(update_fields=["status", "closed_at", "closed_by", "note"])
    events.record_event(
        project, events.CONDITION_UPDATED, condition.pk, payloads.condition(condition)
    )


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
    signals.verifying.send(sender=ChecklistItem, project=project, item=item, by=by, note=note)
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
def verify_on_evidence(*, by, item: ChecklistItem, evidence_url="", evidence_text="", note=""):
    """A reviewer verifies a criterion on evidence they bring themselves (an automatic
    result of the repository), in one step, whether or not the team attested it. The
    team's own evidence is kept when there is some; otherwise the reviewer's is recorded."""
    project, item = _locked_item(by, item)
    access.require(gates.may_review(by, project, item.criterion.gate), by)
    if item.status == ItemStatus.NOT_APPLICABLE or gates.is_done(item):
        raise Conflict(_("Il n'y a rien à vérifier sur ce critère."), code="nothing_to_verify")
    if len(note or "") > MAX_NOTE:
        raise Invalid({"note": [_("%(limit)d caractères au plus.") % {"limit": MAX_NOTE}]})
    signals.verifying.send(sender=ChecklistItem, project=project, item=item, by=by, note=note)
    before = item.status
    if before != ItemStatus.ATTESTED or not (item.evidence_url or item.evidence_text):
        item.evidence_url = (evidence_url or "")[:MAX_URL]
        item.evidence_text = (evidence_text or "")[:MAX_TEXT]
    item.status = ItemStatus.VERIFIED
    item.justification, item.na_accepted = "", False
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
        text=texts.Message(
            texts.REVIEW_OPENED, {"title": project.title, "stage": Stage(review.gate.stage).label}
        ),
        url=project.get_absolute_url(),
    )
    events.record_event(project, events.REVIEW_OPENED, review.pk, payloads.review(review, []))
    signals.review_opened.send(sender=GateReview, project=project, review=review, by=by)
    return review


def _locked_review(
    by, review: GateReview, *, deciding=False, project: Project | None = None
) -> tuple[Project, GateReview]:
    """The review and its project, read fresh under the project's lock (taken here unless
    ``project`` is already locked). The statement that reads the review also reads what
    deciding on it asks about ``by``: their reviewing permission and team membership
    (``access.remember``) and the gate's pool. When ``deciding``, it also reads what an
    advance would otherwise read again (``_decision_facts``): the live hold, whether an
    event subscriber may want the events, and whether the gate after the next one has
    computed criteria."""
    # The project's row lock first, then the review read under it: on PostgreSQL a row read
    # in the statement that waited for another row's lock may be stale.
    project = project or _lock(by, review.project_id)
    pool = Gate.reviewers.through.objects.filter(gate_id=OuterRef("gate_id"))
    facts = {}
    if deciding:
        live = Hold.objects.filter(project_id=OuterRef("project_id"), lifted_at__isnull=True)
        # The gate the project faces once this review advances it: its computed items are
        # refreshed after the stage change (``refresh_computed``) only if it has any.
        after = NEXT_STAGE.get(NEXT_STAGE.get(project.stage))
        facts = {
            "live_hold_id": Subquery(live.values("pk")[:1]),
            "computed_after": Exists(Criterion.objects.filter(gate__stage=after, computed__gt="")),
            **events.interest(OuterRef("project_id")),
        }
    review = (
        GateReview.objects.select_related("gate", "opened_by")
        .annotate(
            **access.annotations(by, "review"),
            pool_is_open=~Exists(pool),
            in_pool=Exists(pool.filter(user_id=by.pk)),
            **facts,
        )
        .get(pk=review.pk)
    )
    access.remember(by, project, review, "review")
    review.gate.pool_is_open, review.gate.in_pool = review.pool_is_open, review.in_pool
    return project, review


def _review_closed() -> Conflict:
    return Conflict(_("Cette revue est close."), code="review_closed")


def _require_open(status: str) -> None:
    if status != GateReview.Status.OPEN:
        raise _review_closed()


@transaction.atomic
def withdraw_review(*, by, review: GateReview) -> GateReview:
    project, review = _locked_review(by, review)
    access.require(access.can_edit(by, project), by)
    _require_open(review.status)
    _close(project, review, GateReview.Status.WITHDRAWN)
    return review


def _close(project: Project, review: GateReview, status: str, votes=None) -> None:
    review.status, review.closed_at = status, timezone.now()
    review.save(update_fields=["status", "closed_at"])
    votes = gates.votes(review) if votes is None else votes
    events.record_event(project, events.REVIEW_DECIDED, review.pk, payloads.review(review, votes))


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


MAX_CONDITIONS = 10


def check_conditions(project: Project, gate: Gate, conditions) -> list[dict]:
    """The conditions of an ``approve_with_conditions`` vote, checked: each a text, an
    owner on the team, a due date after today and optionally a criterion of ``gate``.
    Returns them as stored on the Decision; Invalid names every fault."""
    if not isinstance(conditions, list | tuple) or not conditions:
        raise Invalid({"conditions": [_("Donnez au moins une condition.")]})
    if len(conditions) > MAX_CONDITIONS:
        raise Invalid(
            {"conditions": [_("%(limit)d conditions au plus.") % {"limit": MAX_CONDITIONS}]}
        )
    team = set(Membership.objects.filter(project=project).values_list("user_id", flat=True))
    codes = set(Criterion.objects.filter(gate=gate).values_list("code", flat=True))
    today = timezone.localdate()
    cleaned, errors = [], []
    for number, entry in enumerate(conditions, start=1):
        entry = entry if isinstance(entry, dict) else {}
        faults = []
        text = str(entry.get("text") or "").strip()
        if not text:
            faults.append(_("le texte est obligatoire"))
        elif len(text) > MAX_NOTE:
            faults.append(_("%(limit)d caractères au plus") % {"limit": MAX_NOTE})
        owner = access.as_pk(getattr(entry.get("owner"), "pk", entry.get("owner")))
        if owner is None or owner not in team:
            faults.append(_("le responsable doit être un membre de l'équipe"))
        due_on = entry.get("due_on")
        if isinstance(due_on, str):
            try:
                due_on = datetime.date.fromisoformat(due_on)
            except ValueError:
                due_on = None
        if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
            faults.append(_("l'échéance doit être une date"))
        elif due_on <= today:
            faults.append(_("l'échéance doit être dans le futur"))
        criterion = entry.get("criterion") or None
        if criterion is not None and criterion not in codes:
            faults.append(_("ce critère n'appartient pas à cette étape"))
        if faults:
            errors.append(
                _("Condition %(number)d : %(faults)s.")
                % {"number": number, "faults": ", ".join(faults)}
            )
        else:
            cleaned.append(
                {"text": text, "owner": owner, "due_on": due_on.isoformat(), "criterion": criterion}
            )
    if errors:
        raise Invalid({"conditions": errors})
    return cleaned


def _create_conditions(project: Project, review: GateReview) -> list[Condition]:
    """The open conditions of the votes that counted for the advance of ``review``."""
    wanted = [
        (decision, entry)
        for decision in gates.votes(review)
        if decision.verdict == Decision.Verdict.APPROVE_WITH_CONDITIONS and not decision.by_team
        for entry in decision.conditions
    ]
    if not wanted:
        return []
    criteria = {c.code: c for c in Criterion.objects.filter(gate=review.gate)}
    rows = [
        Condition(
            project=project,
            review=review,
            decision=decision,
            criterion=criteria.get(entry["criterion"]) if entry["criterion"] else None,
            text=entry["text"],
            owner_id=entry["owner"],
            due_on=datetime.date.fromisoformat(entry["due_on"]),
        )
        for decision, entry in wanted
    ]
    for row in rows:
        row.save()
    return rows


def _audience(project: Project, review: GateReview, kinds):
    """Everyone a decision concerns, read in one query: the team (``on_team``), the
    followers, and the reviewers who voted on ``review`` (``vote_*``: their decision), each
    with their notification settings for ``kinds``."""
    team = Membership.objects.filter(project=project, user_id=OuterRef("pk"))
    follows = Follow.objects.filter(project=project, user_id=OuterRef("pk"))
    return list(
        User.objects.annotate(
            on_team=Exists(team),
            follows=Exists(follows),
            vote=FilteredRelation("decision", condition=Q(decision__review=review)),
            vote_id=F("vote__id"),
            vote_verdict=F("vote__verdict"),
            vote_rationale=F("vote__rationale"),
            vote_at=F("vote__at"),
            vote_conditions=F("vote__conditions"),
            **settings_annotations(kinds),
        )
        .filter(pk__in=_concerned_ids(project, review))
        .order_by("pk")
    )


def _votes_of(review: GateReview, people) -> list[Decision]:
    """The review's decisions, rebuilt from ``_audience``, each with ``by_team``."""
    votes = []
    for person in people:
        if person.vote_id is not None:
            vote = Decision(
                pk=person.vote_id,
                review=review,
                reviewer=person,
                verdict=person.vote_verdict,
                rationale=person.vote_rationale,
                conditions=person.vote_conditions or [],
                at=person.vote_at,
            )
            vote.by_team = person.on_team
            votes.append(vote)
    return sorted(votes, key=lambda vote: (vote.at, vote.pk))


@transaction.atomic
def decide(*, by, review: GateReview, verdict: str, rationale: str, conditions=()) -> Decision:
    """A reviewer votes. ``reject`` closes the review, ``request_changes`` returns it to the
    team, and the approval that completes the conditions advances the project here.
    ``approve_with_conditions`` counts as an approval; its ``conditions`` become open
    Condition rows when the project advances.

    A closed review is refused first, before the permission queries: of reviewers racing
    on the same review, all but the first get this cheap refusal, read under the lock:
    from the project's row alone when the winner moved the project, else with the gate's
    checklist (which the blockers and the audit row need anyway), before the review's read
    with its many columns. Everyone the decision concerns (team, followers,
    voters) is read once, under the lock, with their notification settings: the votes, the
    conflict of interest, the blockers, the notifications and the event payloads all use
    that one read."""
    project = _lock(by, review.project_id)
    if GateReview.gate.is_cached(review) and review.gate.stage != NEXT_STAGE.get(project.stage):
        # A review is open only while its gate is the project's next one: the locked row
        # says the project has moved on, and the review closed with that move.
        raise _review_closed()
    items = _checklist_with_status(project, review)
    if items:
        _require_open(items[0].review_status)
    project, review = _locked_review(by, review, deciding=True, project=project)
    _require_open(review.status)
    require_reviewer(by, project, review.gate)
    with _decision_facts(project, review):
        return _decide(by, project, review, verdict, rationale, conditions, items)


def _checklist_with_status(project: Project, review: GateReview) -> list[ChecklistItem]:
    """The project's items for the review's gate, each with the review's status as read
    now (``review_status``): one light statement that tells the losers of a race that the
    review is closed. A gate without criteria gives no rows, and no early answer."""
    status = GateReview.objects.filter(pk=review.pk).values("status")
    return list(
        gates.checklist_for(project, review.gate_id).annotate(review_status=Subquery(status))
    )


@contextmanager
def _decision_facts(project: Project, review: GateReview):
    """Within the block, what the review's read under the lock said is not read again: the
    live hold (none, or read here when there is one), and the event subscribers that want
    nothing (``events.interest``)."""
    hold = None if review.live_hold_id is None else gates.live_hold(project)
    with hold_known(project, hold), events.interest_known(project, review):
        yield


def _decide(by, project, review, verdict, rationale, conditions, items) -> Decision:
    if verdict not in Decision.Verdict.values:
        raise Invalid({"verdict": [_("Choix inconnu.")]})
    rationale = _require_text(rationale, "rationale", MAX_TEXT)
    if verdict == Decision.Verdict.APPROVE_WITH_CONDITIONS:
        conditions = check_conditions(project, review.gate, conditions)
    elif conditions:
        raise Invalid(
            {"conditions": [_("Les conditions accompagnent une approbation sous conditions.")]}
        )
    people = _audience(
        project, review, [Notification.Kind.DECISION, Notification.Kind.STAGE_CHANGED]
    )
    votes = _votes_of(review, people)
    if any(vote.reviewer_id == by.pk for vote in votes):
        raise Conflict(_("Vous avez déjà décidé sur cette revue."), code="already_decided")
    decision = Decision.objects.create(
        review=review, reviewer=by, verdict=verdict, rationale=rationale, conditions=conditions
    )
    decision.by_team = False  # require_reviewer refused anyone on the team
    votes.append(decision)
    # The votes as the blockers and the payloads read them (``gates.votes``).
    review._prefetched_objects_cache = {"decisions": votes}
    team = [person for person in people if person.on_team]
    told = Notice(
        kind=Notification.Kind.DECISION,
        recipients=team,
        project=project,
        actor=by,
        text=texts.Message(
            texts.DECISION,
            {
                "who": by.get_full_name() or by.get_username(),
                "title": project.title,
                "verdict": Decision.Verdict(verdict).label,
            },
        ),
        url=project.get_absolute_url(),
    )
    if verdict == Decision.Verdict.REJECT:
        notify_all([told])
        _close(project, review, GateReview.Status.REJECTED, votes)
    elif verdict == Decision.Verdict.REQUEST_CHANGES:
        notify_all([told])
        _close(project, review, GateReview.Status.CHANGES_REQUESTED, votes)
    else:
        followers = [person for person in people if person.on_team or person.follows]
        if not _advance_if_ready(
            project,
            by=by,
            review=review,
            items=items,
            told=[told],
            followers=followers,
            refresh=review.computed_after,
        ):
            notify_all([told])
            events.record_event(
                project, events.REVIEW_DECIDED, review.pk, payloads.review(review, votes)
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


def _advance_if_ready(
    project: Project,
    *,
    by,
    review: GateReview | None = None,
    items=None,
    told=(),
    followers=None,
    refresh=True,
) -> bool:
    """Fire ``advance`` when the open review meets every condition. Called under the lock;
    ``items``, ``told``, ``followers`` and ``refresh`` as for ``_transition``."""
    review = review or gates.open_review(project)
    if review is None:
        return False
    items = list(gates.checklist_for(project, review.gate)) if items is None else items
    with gates.known(project, review, items):
        if stages.blockers(project, Project.advance):
            return False
        _transition(
            project,
            "advance",
            by=by,
            review=review,
            items=items,
            rationale="",
            said=Said.GATE_APPROVED,
            told=told,
            followers=followers,
            refresh=refresh,
        )
    created = _create_conditions(project, review)
    if created:
        events.record_events(
            project,
            [(events.CONDITION_UPDATED, row.pk, payloads.condition(row)) for row in created],
        )
    return True


def _transition(
    project: Project,
    name: str,
    *,
    by,
    rationale: str,
    said=None,
    review=None,
    items=None,
    told=(),
    followers=None,
    refresh=True,
    **kwargs,
):
    """Move the stage through its FSM method and write the audit row first: the database
    refuses a stage change that is not the target of the newest StageTransition.

    ``review`` is the open review whose approval advances the project: it closes as
    approved. Without one, a review still open is withdrawn. ``items`` is the checklist
    already read under the lock, if any; it is snapshotted in the audit row. ``told`` are
    notices written with the followers' (one insert), ``followers`` the people to tell when
    the caller read them already (with ``settings_annotations``). ``refresh=False`` says the
    caller read, under the lock, that the new next gate has no computed criterion."""
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
    # Read before the stage changes: within ``hold_known`` it is the hold read already.
    hold = gates.live_hold(project)
    getattr(project, name)(**kwargs)
    row = StageTransition.objects.create(
        project=project,
        name=name,
        from_stage=before,
        to_stage=project.stage,
        actor=by,
        review=review,
        rationale=rationale,
        said=said,
        checklist=snapshot,
    )
    if hold is not None:
        # A hold pauses a project at one stage: a stage change ends it.
        hold.lifted_at, hold.lifted_by, hold.lift_note = timezone.now(), by, rationale
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_note"])
    closed = review or gates.open_review(project)
    if closed is not None:
        closed.status = GateReview.Status.APPROVED if review else GateReview.Status.WITHDRAWN
        closed.closed_at = timezone.now()
        closed.save(update_fields=["status", "closed_at"])
    issue_checklist(project)
    notify_all(
        [
            *told,
            Notice(
                kind=Notification.Kind.STAGE_CHANGED,
                recipients=_followers(project) if followers is None else followers,
                project=project,
                actor=by,
                text=texts.Message(
                    texts.STAGE_CHANGED,
                    {
                        "title": project.title,
                        "from": Stage(before).label,
                        "to": Stage(project.stage).label,
                    },
                ),
                url=project.get_absolute_url(),
            ),
        ]
    )
    stage_changed = {
        "from": before,
        "to": project.stage,
        "name": name,
        "transition": payloads.transition(row),
    }
    stream = [(events.STAGE_CHANGED, project.pk, stage_changed)]
    if hold is not None:
        stream.append((events.HOLD_UPDATED, hold.pk, payloads.hold(hold, hold.backings.all())))
    if closed is not None:
        stream.insert(
            0, (events.REVIEW_DECIDED, closed.pk, payloads.review(closed, gates.votes(closed)))
        )
    # The stage and the event seqs in one update of the locked row, after the audit row.
    events.record_events(project, stream, save_seq=False)
    project.save(update_fields=["stage", "stage_changed_at", "updated_at", "event_seq"])
    # The new gate's computed items start from what is already measured.
    if refresh:
        refresh_computed(project, by=by)
    return row


@transaction.atomic
def _manual_transition(*, by, project: Project, name: str, rationale: str):
    """Fire ``name``, a transition that takes a rationale, after its own permission and
    conditions (``projects.stages``) under the project's lock."""
    project = _lock(by, project.pk)
    method = gates.transition_named(project, name)
    access.require(stages.may_fire(project, by, method), by)
    rationale = _require_text(rationale, "rationale", MAX_TEXT)
    blockers = stages.blockers(project, method)
    if blockers:
        first = blockers[0]
        raise Conflict(first["detail"], code=first["code"], blockers=blockers)
    kwargs = {"to": gates.reopen_target(project)} if name == "reopen" else {}
    return _transition(project, name, by=by, rationale=rationale, **kwargs)


@transaction.atomic
def send_back(*, by, project: Project, rationale: str, criteria=()) -> StageTransition:
    """Reviewers and curators return a project one stage, saying why (recycle). The
    ``criteria`` named (codes of the gate the project passed last) go back to the team:
    their items are rejected with the rationale as the note."""
    locked = _lock(by, project.pk)
    codes = list(dict.fromkeys(criteria or ()))
    items = list(
        ChecklistItem.objects.filter(
            project=locked, criterion__code__in=codes, criterion__gate__stage=locked.stage
        ).select_related("criterion")
    )
    if (
        access.can_review(by, locked)
        and locked.stage in PREVIOUS_STAGE
        and len(items) != len(codes)
    ):
        unknown = sorted(set(codes) - {item.criterion.code for item in items})
        raise Invalid(
            {
                "criteria": [
                    _("Ces critères ne sont pas ceux de l'étape quittée : %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                ]
            }
        )
    row = _manual_transition(by=by, project=locked, name="send_back", rationale=rationale)
    for item in items:
        before = item.status
        item.status, item.na_accepted, item.review_note = (
            ItemStatus.REJECTED,
            False,
            row.rationale,
        )
        # ``row.project`` is the instance the transition moved, with the current event seq.
        _record_item_change(row.project, item, by=by, from_status=before, note=row.rationale)
    return row


@transaction.atomic
def archive(*, by, project: Project, rationale: str) -> StageTransition:
    """The owner or a curator stops a project; an open review is withdrawn."""
    return _manual_transition(by=by, project=project, name="archive", rationale=rationale)


@transaction.atomic
def reopen(*, by, project: Project, rationale: str) -> StageTransition:
    """Curators bring an archived project back to the stage it left."""
    return _manual_transition(by=by, project=project, name="reopen", rationale=rationale)


@transaction.atomic
def advance(*, by, project: Project) -> StageTransition:
    """Fire ``advance`` by hand, e.g. after a curator lowered a quorum that an open review
    now meets. Refused with the blockers otherwise."""
    project = _lock(by, project.pk)
    access.require(stages.may_fire(project, by, Project.advance), by)
    review = gates.open_review(project)
    items = list(gates.checklist_for(project, review.gate)) if review else []
    with gates.known(project, review, items):
        # The stage machine's own conditions: the gate's, and no hold in force.
        blockers = stages.blockers(project, Project.advance)
    if blockers:
        raise Conflict(blockers[0]["detail"], code=blockers[0]["code"], blockers=blockers)
    _advance_if_ready(project, by=by, review=review)
    return project.transitions.order_by("-id").first()


def may_fire(by, project: Project, name: str) -> bool:
    """Whether ``by`` holds the permission of the transition ``name`` on ``project`` (its
    blockers aside); NotFound for a name that is no transition."""
    return stages.may_fire(project, by, gates.transition_named(project, name))


# What each transition reads besides its rationale (the API's one input serializer).
EXTRA_INPUT = {
    "send_back": {"criteria"},
    "compost": {"tried", "worked", "failed", "reusable", "links"},
}


def fire(*, by, project: Project, name: str, rationale: str = "", **extra) -> StageTransition:
    """The API's and the pages' ``transitions/{name}/``: ``advance`` by hand, ``compost``
    with its lesson, or any transition that takes a rationale (``send_back`` may name
    criteria to rework)."""
    from . import lifecycle  # builds on this module

    method = gates.transition_named(project, name)
    unexpected = sorted(set(extra) - EXTRA_INPUT.get(name, set()))
    if unexpected:
        raise Invalid({field: [_("Sans objet pour cette transition.")] for field in unexpected})
    if name == "advance":
        return advance(by=by, project=project)
    if name == "compost":
        return lifecycle.compost(by=by, project=project, rationale=rationale, **extra)
    if name == "send_back":
        return send_back(by=by, project=project, rationale=rationale, **extra)
    if not stages.rationale_required(method):
        raise NotFound(_("Transition inconnue."))
    return _manual_transition(by=by, project=project, name=name, rationale=rationale)
