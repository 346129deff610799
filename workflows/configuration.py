"""The programme's configuration, written by curators: gates (quorum, reviewer pool) and
their criteria. The API and the curator's console call these same services.

A criterion's edits never rewrite checklists already handed out (items copy ``required``
when they are created); a new criterion reaches a project when it next enters a stage.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from projects import access
from projects.errors import Conflict, Invalid, NotFound
from projects.models import PREVIOUS_STAGE, Project

from .models import Criterion, Gate
from .services import refresh_computed

User = get_user_model()

CRITERION_FIELDS = (
    "gate",
    "code",
    "principle",
    "title_fr",
    "title_en",
    "guidance_fr",
    "guidance_en",
    "level",
    "evidence",
    "position",
    "active",
    "computed",
)


def can_configure(user) -> bool:
    """Curators configure gates and criteria (the ``curators`` group's permissions)."""
    return user.is_authenticated and user.is_active and user.has_perm("workflows.change_gate")


def reviewer_candidates():
    """The people a reviewer pool may hold: active members of the ``reviewers`` group."""
    return (
        User.objects.filter(is_active=True, groups__name="reviewers")
        .distinct()
        .order_by("first_name", "username")
    )


@transaction.atomic
def configure_gate(
    *,
    by,
    gate: Gate,
    quorum: int | None = None,
    reviewers=None,
    reminder_days=None,
    reuses_required=None,
) -> Gate:
    """Curators set a gate's quorum (1 to 9), reviewer pool (reviewers only; empty: every
    reviewer), reminder delay (0 to 365 days, 0: no reminders) and the verified reuses its
    computed reuse criterion needs (1 to 99). Open reviews keep their checklists; a lowered
    quorum applies to them at the next decision or by ``advance``; a new reuse threshold
    recomputes the items of the projects before the gate at once."""
    access.require(can_configure(by), by)
    gate = Gate.objects.select_for_update().get(pk=gate.pk)
    errors = {}
    if quorum is not None:
        try:
            quorum = int(quorum)
        except (TypeError, ValueError):
            quorum = 0
        if not 1 <= quorum <= 9:
            errors["quorum"] = [_("Entre 1 et 9.")]
    if reminder_days is not None:
        try:
            reminder_days = int(reminder_days)
        except (TypeError, ValueError):
            reminder_days = -1
        if not 0 <= reminder_days <= 365:
            errors["reminder_days"] = [_("Entre 0 et 365.")]
    if reuses_required is not None:
        try:
            reuses_required = int(reuses_required)
        except (TypeError, ValueError):
            reuses_required = 0
        if not 1 <= reuses_required <= 99:
            errors["reuses_required"] = [_("Entre 1 et 99.")]
    if reviewers is not None:
        wanted = {getattr(person, "pk", person) for person in reviewers}
        allowed = set(reviewer_candidates().filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - allowed:
            errors["reviewers"] = [_("Seuls des relecteurs peuvent former le vivier.")]
    if errors:
        raise Invalid(errors)
    if quorum is not None and quorum != gate.quorum:
        gate.quorum = quorum
        gate.save(update_fields=["quorum"])
    if reminder_days is not None and reminder_days != gate.reminder_days:
        gate.reminder_days = reminder_days
        gate.save(update_fields=["reminder_days"])
    if reviewers is not None:
        gate.reviewers.set(wanted)
    if reuses_required is not None and reuses_required != gate.reuses_required:
        gate.reuses_required = reuses_required
        gate.save(update_fields=["reuses_required"])
        _recompute_before(gate)
    return gate


def _recompute_before(gate: Gate) -> None:
    """Recompute the computed items of every project whose next gate is ``gate``, each under
    its own row lock (the order of ids, so two curators never deadlock)."""
    before = PREVIOUS_STAGE.get(gate.stage)
    for pk in Project.objects.filter(stage=before).order_by("pk").values_list("pk", flat=True):
        project = Project.objects.select_for_update().get(pk=pk)
        refresh_computed(project)


def _checked(criterion: Criterion) -> None:
    """The model's own validation (choices, lengths, slug, unique code) as ``Invalid``."""
    try:
        criterion.full_clean()
    except ValidationError as error:
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
        raise Invalid(errors) from None


def _apply(criterion: Criterion, fields: dict) -> None:
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise Invalid({name: [_("Champ inconnu.")] for name in sorted(unknown)})
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(criterion, name, value)


@transaction.atomic
def create_criterion(*, by, gate: Gate, code: str, **fields) -> Criterion:
    """Add a criterion to a gate; ``fields`` are the other ``CRITERION_FIELDS``."""
    access.require(by.has_perm("workflows.add_criterion"), by)
    criterion = Criterion()
    _apply(criterion, {"gate": gate, "code": code, **fields})
    _checked(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def update_criterion(*, by, criterion: Criterion, **fields) -> Criterion:
    """Change some of a criterion's ``CRITERION_FIELDS``; the others stay as they are."""
    access.require(by.has_perm("workflows.change_criterion"), by)
    try:
        criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    except Criterion.DoesNotExist:
        raise NotFound() from None
    _apply(criterion, fields)
    _checked(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def delete_criterion(*, by, criterion: Criterion) -> None:
    """Delete a criterion no checklist has answered yet; one with answers is deactivated
    instead (409)."""
    access.require(by.has_perm("workflows.delete_criterion"), by)
    try:
        with transaction.atomic():
            Criterion.objects.filter(pk=criterion.pk).get().delete()
    except Criterion.DoesNotExist:
        raise NotFound() from None
    except ProtectedError:
        raise Conflict(
            _("Ce critère a déjà des réponses : désactivez-le plutôt."), code="criterion_in_use"
        ) from None
