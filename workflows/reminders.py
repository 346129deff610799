"""Reminders and nudges the clock runs every day: reviewers of reviews left open, teams
whose changes were requested, projects that have gone quiet."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks import task

from notifications import texts
from notifications.models import Notification
from notifications.services import notify
from outbox.models import Item
from projects.models import Project, Stage

from .models import GateReview
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
