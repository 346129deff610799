"""Reads of the reuse registry and of renewals: lookups by id (hidden = missing = 404), who
may see a reuse's contact, the measure behind the commons gate's reuse criterion."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from projects import access
from projects.errors import NotFound
from projects.models import Membership, Project, Stage

from .models import Commons, RenewalReview, RenewalStatus, Reuse


def outside_team(reuses: QuerySet) -> QuerySet:
    """The reuses not declared by a member of the project's team now: a reuse counts as
    proof when the organisation that uses the project speaks for itself."""
    team = Membership.objects.filter(
        project_id=OuterRef("project_id"), user_id=OuterRef("declared_by_id")
    )
    return reuses.exclude(Exists(team))


def counted_reuses(project: Project) -> int:
    """Verified reuses by organisations outside the team: the commons gate's measure."""
    verified = Reuse.objects.filter(project=project, status=Reuse.Status.VERIFIED)
    return outside_team(verified).count()


def access_reuse(user, pk, *, project=None) -> Reuse:
    """The reuse ``pk`` with its project, if ``user`` may read the project; with ``project``
    (an id) it must belong to it."""
    pk = access.as_pk(pk)
    if pk is None:
        raise NotFound()
    queryset = Reuse.objects.select_related("project", "territory", "declared_by")
    if project is not None:
        project_pk = access.as_pk(project)
        if project_pk is None:
            raise NotFound()
        queryset = queryset.filter(project_id=project_pk)
    reuse = queryset.filter(pk=pk).first()
    if reuse is None or not access.can_view(user, reuse.project):
        raise NotFound()
    return reuse


def access_renewal(user, pk) -> RenewalReview:
    pk = access.as_pk(pk)
    review = RenewalReview.objects.select_related("project").filter(pk=pk).first() if pk else None
    if review is None or not access.can_view(user, review.project):
        raise NotFound()
    return review


def may_see_contact(user, reuse: Reuse) -> bool:
    """The contact is personal data: its declarer, the team, reviewers and curators."""
    if not access.is_signed_in(user):
        return False
    return (
        reuse.declared_by_id == user.pk
        or access.is_team_member(user, reuse.project)
        or access.can_see_everything(user)
    )


def reuses_for(user, project: Project) -> QuerySet:
    """A project's reuses as ``user`` may list them: refused ones only for those who may
    see contacts (the declarer sees their own)."""
    reuses = Reuse.objects.filter(project=project).select_related("territory", "declared_by")
    if access.is_team_member(user, project) or access.can_see_everything(user):
        return reuses
    refused = Q(status=Reuse.Status.REFUSED)
    if access.is_signed_in(user):
        return reuses.exclude(refused & ~Q(declared_by=user))
    return reuses.exclude(refused)


def confirm_by(reuse: Reuse) -> date | None:
    """The day a verified reuse lapses unless its declarer confirms it."""
    if reuse.status != Reuse.Status.VERIFIED or reuse.confirmed_at is None:
        return None
    return reuse.confirmed_at.date() + timedelta(days=settings.REUSE_CONFIRM_DAYS)


def commons_status(project: Project) -> dict | None:
    """The public renewal status of a commons: ``{status, label, renewal_due, recovery_*}``;
    None for a project that is not a commons."""
    if project.stage != Stage.COMMONS:
        return None
    row = Commons.objects.filter(project=project).first()
    if row is None:
        return {
            "status": RenewalStatus.RENEWED.value,
            "label": str(RenewalStatus.RENEWED.label),
            "renewal_due": renewal_due_after(project.stage_changed_at.date()),
            "recovery_plan": "",
            "recovery_due": None,
        }
    return {
        "status": row.status,
        "label": str(RenewalStatus(row.status).label),
        "renewal_due": row.renewal_due,
        "recovery_plan": row.recovery_plan,
        "recovery_due": row.recovery_due,
    }


def renewal_due_after(day: date) -> date:
    """``COMMONS_RENEWAL_MONTHS`` after ``day`` (the last day of a shorter month)."""
    months = day.month - 1 + settings.COMMONS_RENEWAL_MONTHS
    year, month = day.year + months // 12, months % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def open_renewal(project: Project) -> RenewalReview | None:
    return project.renewals.filter(status=RenewalReview.Status.OPEN).first()


def reviewer_queue(user) -> dict:
    """What waits for ``user`` as a reviewer of the commons gate: the open renewal reviews
    they have not voted on and the declared reuses they did not declare, on projects they
    may review (never their team's), oldest first. Empty outside the gate's pool."""
    from workflows import gates
    from workflows.models import Gate, GateStage

    gate = Gate.objects.prefetch_related("reviewers").filter(stage=GateStage.COMMONS).first()
    if gate is None or not access.is_signed_in(user) or not gates.in_pool(user, gate):
        return {"renewals": [], "reuses": []}
    reviewable = Project.objects.restrict(user, "review").values("pk")
    renewals = (
        RenewalReview.objects.filter(status=RenewalReview.Status.OPEN, project__in=reviewable)
        .exclude(votes__reviewer=user)
        .select_related("project")
        .order_by("opened_at", "id")
    )
    reuses = (
        Reuse.objects.filter(status=Reuse.Status.DECLARED, project__in=reviewable)
        .exclude(declared_by=user)
        .select_related("project", "territory")
        .order_by("declared_at", "id")
    )
    return {"renewals": list(renewals), "reuses": list(reuses)}
