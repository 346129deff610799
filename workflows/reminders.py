"""Reminders and nudges the clock runs every day: reviewers of reviews left open, teams
whose changes were requested, projects that have gone quiet, conditions coming due or
missed, holds at their revisit date."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks import task

from notifications import texts
from notifications.models import Notification
from notifications.services import notify
from outbox.models import Item
from projects.models import Hold, Project, Stage

from . import lifecycle
from .models import Condition, GateReview
from .services import _reviewers_of, _team


def _reminded_since(project: Project, kind: str, since) -> bool:
    """Whether anyone was told this about the project since then, in the app or by e-mail."""
    return (
        Notification.objects.filter(project=project, kind=kind, created_at__gte=since).exists()
        or Item.objects.filter(project_id=project.pk, kind=kind, created_at__gte=since).exists()
    )


@task()
def remind_reviewers(*, period: str) -> int:
    """Tell the reviewers of every review open for longer than its gate's
    ``reminder_days``, at most once per that many days. Returns the reviews reminded."""
    now = timezone.now()
    reminded = 0
    reviews = GateReview.objects.filter(
        status=GateReview.Status.OPEN, gate__reminder_days__gt=0
    ).select_related("project", "gate")
    for review in reviews:
        days = review.gate.reminder_days
        if review.opened_at > now - timedelta(days=days):
            continue
        with transaction.atomic():
            since = now - timedelta(days=days)
            if _reminded_since(review.project, Notification.Kind.REMINDER, since):
                continue
            notify(
                kind=Notification.Kind.REMINDER,
                recipients=_reviewers_of(review.project, review.gate),
                project=review.project,
                actor=None,
                text=texts.Message(
                    texts.REVIEW_WAITING,
                    {"title": review.project.title, "days": (now - review.opened_at).days},
                ),
                url=review.project.get_absolute_url(),
            )
        reminded += 1
    return reminded


@task()
def remind_teams(*, period: str) -> int:
    """Tell the team of every project whose last review asked for changes, and that has
    not asked again, every CHANGES_REMINDER_DAYS days. Returns the projects reminded."""
    now = timezone.now()
    days = settings.CHANGES_REMINDER_DAYS
    newest = GateReview.objects.filter(project=OuterRef("project")).order_by("-opened_at", "-id")
    reviews = (
        GateReview.objects.filter(
            status=GateReview.Status.CHANGES_REQUESTED,
            closed_at__lte=now - timedelta(days=days),
            pk=Subquery(newest.values("pk")[:1]),
        )
        .exclude(project__stage=Stage.ARCHIVED)
        .select_related("project")
    )
    reminded = 0
    for review in reviews:
        with transaction.atomic():
            since = now - timedelta(days=days)
            if _reminded_since(review.project, Notification.Kind.REMINDER, since):
                continue
            notify(
                kind=Notification.Kind.REMINDER,
                recipients=_team(review.project),
                project=review.project,
                actor=None,
                text=texts.Message(
                    texts.CHANGES_WAITING,
                    {"title": review.project.title, "days": (now - review.closed_at).days},
                ),
                url=review.project.get_absolute_url(),
            )
        reminded += 1
    return reminded


@task()
def nudge_dormant(*, period: str) -> int:
    """Nudge the team of every live project with no activity (no event in its stream, no
    edit) for DORMANT_DAYS days, once per such stretch. Returns the projects nudged."""
    now = timezone.now()
    quiet_since = now - timedelta(days=settings.DORMANT_DAYS)
    projects = (
        Project.objects.exclude(stage__in=[Stage.ARCHIVED, Stage.COMMONS])
        .annotate(last_event=Max("events__at"))
        .filter(updated_at__lt=quiet_since)
        .filter(Q(last_event__isnull=True) | Q(last_event__lt=quiet_since))
    )
    nudged = 0
    for project in projects:
        with transaction.atomic():
            if _reminded_since(project, Notification.Kind.DORMANT, quiet_since):
                continue
            notify(
                kind=Notification.Kind.DORMANT,
                recipients=_team(project),
                project=project,
                actor=None,
                text=texts.Message(
                    texts.DORMANT,
                    {"title": project.title, "days": settings.DORMANT_DAYS},
                ),
                url=project.get_absolute_url(),
            )
        nudged += 1
    return nudged


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@task()
def remind_conditions(*, period: str) -> int:
    """Tell each owner of open conditions due within CONDITION_REMINDER_DAYS, once per
    project and window (the window opens that many days before the earliest due date).
    Returns the owners reminded."""
    today = timezone.localdate()
    days = settings.CONDITION_REMINDER_DAYS
    due = Condition.objects.filter(
        status=Condition.Status.OPEN, due_on__gte=today, due_on__lte=today + timedelta(days=days)
    ).select_related("project", "owner")
    groups = {}
    for condition in due.order_by("due_on", "id"):
        groups.setdefault((condition.project, condition.owner), []).append(condition)
    reminded = 0
    for (project, owner), conditions in groups.items():
        since = _start_of(conditions[0].due_on - timedelta(days=days))
        kind = Notification.Kind.CONDITION_DUE
        with transaction.atomic():
            if (
                Notification.objects.filter(
                    project=project, kind=kind, recipient=owner, created_at__gte=since
                ).exists()
                or Item.objects.filter(
                    project_id=project.pk, kind=kind, recipient=owner, created_at__gte=since
                ).exists()
            ):
                continue
            notify(
                kind=kind,
                recipients=[owner],
                project=project,
                actor=None,
                text=texts.Message(
                    texts.CONDITION_DUE,
                    {
                        "title": project.title,
                        "count": len(conditions),
                        "due": conditions[0].due_on.isoformat(),
                    },
                ),
                url=project.get_absolute_url(),
            )
        reminded += 1
    return reminded


@task()
def miss_conditions(*, period: str) -> int:
    """Close as missed every open condition whose due date has passed, telling the gate's
    reviewers and the curators. Returns the conditions missed."""
    overdue = Condition.objects.filter(
        status=Condition.Status.OPEN, due_on__lt=timezone.localdate()
    )
    return sum(lifecycle.miss_condition(condition) for condition in overdue)


@task()
def remind_holds(*, period: str) -> int:
    """On and after a hold's revisit date, tell the team, the curators and its proposer,
    once per revisit date. Returns the holds reminded."""
    today = timezone.localdate()
    holds = Hold.objects.filter(
        placed_at__isnull=False, lifted_at__isnull=True, revisit_on__lte=today
    ).select_related("project", "proposed_by")
    reminded = 0
    for hold in holds:
        if _reminded_since(hold.project, Notification.Kind.HOLD, _start_of(hold.revisit_on)):
            continue
        lifecycle.remind_hold(hold)
        reminded += 1
    return reminded
