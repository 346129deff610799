"""Every write of the reuse registry and of renewals.

Like the workflow's services, each takes the project's row lock first, re-reads what it
depends on under it, checks permission, writes the row and its append-only history, and
records the project's events (broadcast after commit). A reuse verified, refused or lapsed
recomputes the commons gate's reuse criterion in the same transaction, which may advance
the project. Renewal votes follow the commons gate: its reviewer pool, its quorum, and never
a member of the team.
"""

import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from notifications.models import Notification
from projects import access, events
from projects.errors import Conflict, Forbidden, Invalid, NotFound
from projects.models import (
    MAX_NOTE,
    MAX_TEXT,
    MAX_URL,
    Membership,
    Project,
    Stage,
    Territory,
    Visibility,
)
from workflows import services as workflow_services
from workflows.models import Gate, GateStage

from . import identifiers, notices, read, signals
from .models import (
    Commons,
    RenewalReview,
    RenewalStatus,
    RenewalVote,
    Reuse,
    ReuseEvent,
)
from .payloads import renewal_data, reuse_data


def _lock(by, project_id) -> Project:
    return access.access_project(by, project_id, lock=True)


def _commons_gate() -> Gate:
    return Gate.objects.prefetch_related("reviewers").get(stage=GateStage.COMMONS)


def _text(errors, field, value, limit, *, required=True) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        errors[field] = [_("Ce champ est obligatoire.")]
    elif len(value) > limit:
        errors[field] = [_("%(limit)d caractères au plus.") % {"limit": limit}]
    return value


def _url(errors, field, value) -> str:
    value = _text(errors, field, value, MAX_URL, required=False)
    if value and field not in errors:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            errors[field] = [_("Saisissez une adresse web valide (http ou https).")]
    return value


# Reuses -----------------------------------------------------------------------------------


def _check_reuse(fields: dict) -> dict:
    """The declaration's fields, cleaned, or Invalid with every error at once."""
    errors = {}
    clean = {
        "organisation": _text(errors, "organisation", fields.get("organisation"), 200),
        "organisation_uri": _url(errors, "organisation_uri", fields.get("organisation_uri")),
        "instance_url": _url(errors, "instance_url", fields.get("instance_url")),
        "version": _text(errors, "version", fields.get("version"), 100, required=False),
        "use_case": _text(errors, "use_case", fields.get("use_case"), MAX_NOTE),
    }
    siret = identifiers.normalise(str(fields.get("siret") or ""))
    if siret and not identifiers.well_formed(siret):
        errors["siret"] = [
            _("Un SIREN ou un SIRET s'écrit en chiffres : 9 ou 14 chiffres, espaces permis.")
        ]
    elif siret and not identifiers.is_valid(siret):
        errors["siret"] = [
            _(
                "SIREN (9 chiffres) ou SIRET (14 chiffres) invalide : la clé de contrôle "
                "ne correspond pas."
            )
        ]
    if not siret and not clean["organisation_uri"] and "organisation_uri" not in errors:
        errors["siret"] = [
            _(
                "Donnez le SIREN ou le SIRET d'un organisme français, sinon l'adresse (URI) "
                "de l'organisation."
            )
        ]
    clean["siret"] = siret
    kind = fields.get("kind")
    if kind not in Reuse.Kind.values:
        errors["kind"] = [_("Choix inconnu.")]
    clean["kind"] = kind
    code = str(fields.get("territory") or "").strip().upper()
    territory = Territory.objects.filter(pk=code).first() if 0 < len(code) <= 4 else None
    if territory is None:
        errors["territory"] = [_("Code INSEE inconnu : un département (44) ou une région (R52).")]
    clean["territory"] = territory
    contact = _text(errors, "contact", fields.get("contact"), 254)
    if contact and "contact" not in errors:
        try:
            EmailValidator()(contact)
        except ValidationError:
            errors["contact"] = [_("Saisissez une adresse e-mail valide.")]
    clean["contact"] = contact
    unknown = set(fields) - set(clean)
    for name in sorted(unknown):
        errors[name] = [_("Champ inconnu.")]
    if errors:
        raise Invalid(errors)
    return clean


@transaction.atomic
def declare_reuse(*, by, project: Project, **fields) -> Reuse:
    """Anyone signed in declares that an organisation reuses a public project; a reviewer
    outside the team then verifies or refuses it. The same organisation (SIREN or URI)
    cannot be declared twice while a declaration of it is pending or verified."""
    project = _lock(by, project.pk)
    access.require(access.is_signed_in(by), by)
    if project.visibility != Visibility.PUBLIC:
        raise Conflict(
            _("Seul un projet public peut être déclaré comme réutilisé."), code="not_public"
        )
    clean = _check_reuse(fields)
    live = Reuse.objects.filter(
        project=project, status__in=[Reuse.Status.DECLARED, Reuse.Status.VERIFIED]
    )
    if clean["siret"]:
        # One body (its SIREN) covers its establishments (SIRETs that start with it).
        siren = identifiers.siren_of(clean["siret"])
        same = live.filter(siret__in=[clean["siret"], siren])
        if len(clean["siret"]) == 9:
            same = same | live.filter(siret__startswith=siren)
    else:
        same = live.filter(siret="", organisation_uri=clean["organisation_uri"])
    if same.exists():
        raise Conflict(
            _("Cette organisation est déjà déclarée pour ce projet."), code="already_declared"
        )
    reuse = Reuse.objects.create(project=project, declared_by=by, **clean)
    _history(project, reuse, ReuseEvent.Action.DECLARED, by=by, event=events.REUSE_DECLARED)
    notices.reuse_declared(reuse, by=by)
    return reuse


def _history(project, reuse, action, *, by, note="", event=events.REUSE_CHANGED) -> None:
    ReuseEvent.objects.create(reuse=reuse, action=action, actor=by, note=note)
    events.record_event(project, event, reuse.pk, reuse_data(reuse))


def _locked_reuse(by, reuse: Reuse) -> tuple[Project, Reuse]:
    """The reuse and its project, read fresh under the project's lock."""
    project = _lock(by, reuse.project_id)
    try:
        reuse = Reuse.objects.select_related("territory", "declared_by").get(
            pk=reuse.pk, project=project
        )
    except Reuse.DoesNotExist:
        raise NotFound() from None
    return project, reuse


def _require_status(reuse: Reuse, status: str) -> None:
    if reuse.status != status:
        raise Conflict(
            _("Cette réutilisation est « %(status)s » : ce n'est plus possible.")
            % {"status": Reuse.Status(reuse.status).label},
            code="wrong_state",
        )


@transaction.atomic
def verify_reuse(*, by, reuse: Reuse, note: str = "") -> Reuse:
    """A reviewer outside the team confirms a declared reuse; it counts towards the commons
    gate's reuse criterion from now on, until it lapses."""
    project, reuse = _locked_reuse(by, reuse)
    workflow_services.require_reviewer(by, project, _commons_gate())
    if reuse.declared_by_id == by.pk:
        raise Forbidden(
            _("Une réutilisation se vérifie par une autre personne que celle qui l'a déclarée."),
            code="own_declaration",
        )
    _require_status(reuse, Reuse.Status.DECLARED)
    errors = {}
    note = _text(errors, "note", note, MAX_NOTE, required=False)
    if errors:
        raise Invalid(errors)
    reuse.status, reuse.confirmed_at, reuse.note = Reuse.Status.VERIFIED, timezone.now(), note
    reuse.save(update_fields=["status", "confirmed_at", "note"])
    _history(project, reuse, ReuseEvent.Action.VERIFIED, by=by, note=note)
    notices.reuse_decided(reuse, by=by)
    workflow_services.refresh_computed(project, by=by)
    return reuse


@transaction.atomic
def refuse_reuse(*, by, reuse: Reuse, note: str) -> Reuse:
    """A reviewer outside the team refuses a declared reuse, saying why."""
    project, reuse = _locked_reuse(by, reuse)
    workflow_services.require_reviewer(by, project, _commons_gate())
    _require_status(reuse, Reuse.Status.DECLARED)
    errors = {}
    note = _text(errors, "note", note, MAX_NOTE)
    if errors:
        raise Invalid(errors)
    reuse.status, reuse.note = Reuse.Status.REFUSED, note
    reuse.save(update_fields=["status", "note"])
    _history(project, reuse, ReuseEvent.Action.REFUSED, by=by, note=note)
    notices.reuse_decided(reuse, by=by)
    return reuse


@transaction.atomic
def confirm_reuse(*, by, reuse: Reuse) -> Reuse:
    """Its declarer confirms, in one click, that a verified reuse still holds: it lapses a
    year after this instead."""
    project, reuse = _locked_reuse(by, reuse)
    if reuse.declared_by_id != by.pk:
        access.require(
            False, by, _("Seule la personne qui l'a déclarée confirme une réutilisation.")
        )
    _require_status(reuse, Reuse.Status.VERIFIED)
    reuse.confirmed_at = timezone.now()
    reuse.save(update_fields=["confirmed_at"])
    _history(project, reuse, ReuseEvent.Action.CONFIRMED, by=by)
    return reuse


def lapse_due_reuses(now: datetime | None = None) -> int:
    """The clock: every verified reuse not confirmed within ``REUSE_CONFIRM_DAYS`` lapses,
    each in its project's transaction; a commons whose last verified reuse lapsed gets a
    renewal review. Returns the reuses lapsed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REUSE_CONFIRM_DAYS)
    due = Reuse.objects.filter(status=Reuse.Status.VERIFIED, confirmed_at__lt=cutoff)
    lapsed = 0
    for pk, project_id in due.order_by("project_id", "pk").values_list("pk", "project_id"):
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=project_id)
            reuse = Reuse.objects.select_related("territory", "declared_by").get(pk=pk)
            if reuse.status != Reuse.Status.VERIFIED or reuse.confirmed_at >= cutoff:
                continue  # confirmed meanwhile
            reuse.status = Reuse.Status.LAPSED
            reuse.save(update_fields=["status"])
            _history(project, reuse, ReuseEvent.Action.LAPSED, by=None)
            notices.reuse_decided(reuse, by=None)
            workflow_services.refresh_computed(project)
            lapsed += 1
    _remind_confirmations(now)
    return lapsed


def _remind_confirmations(now: datetime) -> int:
    """Tell each declarer, once, ``REUSE_REMIND_DAYS`` before their verified reuse lapses."""
    days = settings.REUSE_CONFIRM_DAYS
    window = now - timedelta(days=days - settings.REUSE_REMIND_DAYS)
    due = Reuse.objects.filter(
        status=Reuse.Status.VERIFIED, confirmed_at__lt=window
    ).select_related("project", "declared_by")
    reminded = 0
    for reuse in due:
        with transaction.atomic():
            told = Notification.objects.filter(
                kind=Notification.Kind.REUSE_CONFIRM,
                recipient=reuse.declared_by,
                url__endswith=f"#reuse-{reuse.pk}",
                created_at__gte=reuse.confirmed_at,
            ).exists()
            if told:
                continue
            until = (reuse.confirmed_at + timedelta(days=days)).date().isoformat()
            notices.reuse_confirm(reuse, until=until)
            reminded += 1
    return reminded


# Renewals ---------------------------------------------------------------------------------


def ensure_commons(project: Project) -> Commons:
    """The commons row of a project at ``commons`` (created at its first need, due
    ``COMMONS_RENEWAL_MONTHS`` after graduation). Called under the project's lock."""
    row = Commons.objects.filter(project=project).first()
    if row is None:
        row = Commons.objects.create(
            project=project, renewal_due=read.renewal_due_after(project.stage_changed_at.date())
        )
    return row


def _may_open(by, project: Project, row: Commons) -> bool:
    """Reviewers of the commons gate open a renewal at any time; the team asks for one to
    revive a dormant commons or to show its recovery."""
    if access.can_review(by, project):
        return True
    return access.can_edit(by, project) and row.status != RenewalStatus.RENEWED


def _open(project: Project, *, by, reason: str) -> RenewalReview:
    """Open the review, under the lock, with the signals of now. The partial unique index
    backs the check: one open renewal per project, whoever opens it."""
    try:
        with transaction.atomic():
            review = RenewalReview.objects.create(
                project=project, reason=reason, opened_by=by, signals=_json(signals.gather(project))
            )
    except IntegrityError:
        raise _already_open() from None
    events.record_event(project, events.RENEWAL_OPENED, review.pk, renewal_data(review))
    notices.renewal_opened(review, by=by)
    return review


def _already_open() -> Conflict:
    return Conflict(_("Une revue de renouvellement est déjà ouverte."), code="renewal_already_open")


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@transaction.atomic
def open_renewal(*, by, project: Project) -> RenewalReview:
    """A reviewer (or the team of a commons at risk or dormant) opens a renewal review."""
    project = _lock(by, project.pk)
    if project.stage != Stage.COMMONS:
        raise Conflict(_("Seul un commun se renouvelle."), code="not_commons")
    row = ensure_commons(project)
    access.require(_may_open(by, project, row), by)
    if read.open_renewal(project) is not None:
        raise _already_open()
    return _open(project, by=by, reason=RenewalReview.Reason.REQUESTED)


def open_due_renewals(today: date | None = None, now: datetime | None = None) -> int:
    """The clock: open a renewal review for every commons whose date is within
    ``RENEWAL_NOTICE_DAYS``, or earlier on a new signal; dormant commons wait for someone
    to revive them. Each project in its own transaction; returns the reviews opened."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    opened = 0
    pks = Project.objects.filter(stage=Stage.COMMONS).order_by("pk").values_list("pk", flat=True)
    for pk in pks:
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=pk)
            if project.stage != Stage.COMMONS or read.open_renewal(project) is not None:
                continue
            row = ensure_commons(project)
            if row.status == RenewalStatus.DORMANT:
                continue
            reason = None
            if (row.renewal_due - today).days <= settings.RENEWAL_NOTICE_DAYS:
                reason = RenewalReview.Reason.SCHEDULED
            else:
                last = project.renewals.order_by("-opened_at").first()
                since = last.opened_at if last else None
                reason = signals.early_reason(signals.gather(project), since=since, now=now)
            if reason is None:
                continue
            try:
                _open(project, by=None, reason=reason)
            except Conflict:
                continue
            opened += 1
    return opened


def _locked_renewal(by, review: RenewalReview) -> tuple[Project, RenewalReview]:
    project = _lock(by, review.project_id)
    review = RenewalReview.objects.get(pk=review.pk)
    return project, review


def _parse_due(errors, value) -> date | None:
    if isinstance(value, date):
        day = value
    else:
        day = parse_date(str(value or "").strip()) if value else None
        if value and day is None:
            errors["recovery_due"] = [_("Date attendue (AAAA-MM-JJ).")]
            return None
    if day is None:
        errors["recovery_due"] = [_("Ce champ est obligatoire.")]
    elif day <= timezone.localdate():
        errors["recovery_due"] = [_("La date doit être dans le futur.")]
    return day


def counted_votes(review: RenewalReview):
    """The review's votes by people not on the team now (conflict of interest holds in
    time, as for the gate's decisions)."""
    team = Membership.objects.filter(
        project_id=OuterRef("review__project_id"), user_id=OuterRef("reviewer_id")
    )
    return review.votes.exclude(Exists(team))


@transaction.atomic
def vote_renewal(
    *,
    by,
    review: RenewalReview,
    outcome: str,
    rationale: str,
    recovery_plan: str = "",
    recovery_due=None,
) -> RenewalVote:
    """A reviewer of the commons gate votes ``renewed``, ``at_risk`` (with a recovery plan
    and its due date) or ``dormant``. When the commons gate's quorum of votes agree on an
    outcome, the review is decided and the commons takes it."""
    project, review = _locked_renewal(by, review)
    if review.status != RenewalReview.Status.OPEN:
        raise Conflict(_("Cette revue de renouvellement est close."), code="renewal_closed")
    gate = _commons_gate()
    if access.is_team_member(by, project):
        raise Forbidden(
            _("Un membre de l'équipe ne décide pas du renouvellement de son propre commun."),
            code="conflict_of_interest",
        )
    workflow_services.require_reviewer(by, project, gate)
    errors = {}
    if outcome not in RenewalStatus.values:
        errors["outcome"] = [_("Choix inconnu.")]
    rationale = _text(errors, "rationale", rationale, MAX_TEXT)
    due = None
    if outcome == RenewalStatus.AT_RISK:
        recovery_plan = _text(errors, "recovery_plan", recovery_plan, MAX_TEXT)
        due = _parse_due(errors, recovery_due)
    else:
        recovery_plan = ""
    if errors:
        raise Invalid(errors)
    if review.votes.filter(reviewer=by).exists():
        raise Conflict(_("Vous avez déjà décidé sur cette revue."), code="already_decided")
    vote = RenewalVote.objects.create(
        review=review,
        reviewer=by,
        outcome=outcome,
        rationale=rationale,
        recovery_plan=recovery_plan,
        recovery_due=due,
    )
    tally = dict(counted_votes(review).values_list("outcome").annotate(n=Count("id")).order_by())
    if tally.get(outcome, 0) >= gate.quorum:
        _decide(project, review, vote)
    else:
        events.record_event(project, events.RENEWAL_VOTED, review.pk, renewal_data(review))
    return vote


def _decide(project: Project, review: RenewalReview, vote: RenewalVote) -> None:
    now = timezone.now()
    review.status, review.outcome, review.decided_at = (
        RenewalReview.Status.DECIDED,
        vote.outcome,
        now,
    )
    review.save(update_fields=["status", "outcome", "decided_at"])
    row = ensure_commons(project)
    row.status, row.since = vote.outcome, now
    if vote.outcome == RenewalStatus.RENEWED:
        row.renewal_due = read.renewal_due_after(timezone.localdate(now))
        row.recovery_plan, row.recovery_due = "", None
    elif vote.outcome == RenewalStatus.AT_RISK:
        # The recovery's due date is when the commons is reviewed again.
        row.recovery_plan, row.recovery_due = vote.recovery_plan, vote.recovery_due
        row.renewal_due = vote.recovery_due
    else:
        row.recovery_plan, row.recovery_due = "", None
    row.save()
    events.record_event(project, events.RENEWAL_DECIDED, review.pk, renewal_data(review))
    notices.renewal_decided(review, by=vote.reviewer)
