"""Who is told what about reuses and renewals. Called by the services in their transaction;
``notify`` skips the actor, inactive people and those who may not read the project, and
sends e-mail by each person's preference for the kind (immediate, daily or weekly digest)."""

from notifications import texts
from notifications.models import Notification
from notifications.services import notify
from workflows import services as workflow_services
from workflows.models import Gate, GateStage

from .models import RenewalReview, RenewalStatus, Reuse


def _reviewers(project):
    gate = Gate.objects.get(stage=GateStage.COMMONS)
    return list(workflow_services._reviewers_of(project, gate))


def _team(project):
    return list(workflow_services._team(project))


def reuse_declared(reuse: Reuse, *, by) -> None:
    project = reuse.project
    notify(
        kind=Notification.Kind.REUSE_DECLARED,
        recipients=_reviewers(project) + _team(project),
        project=project,
        actor=by,
        text=texts.Message(
            texts.REUSE_DECLARED,
            {"organisation": reuse.organisation, "title": project.title},
        ),
        url=project.get_absolute_url() + f"#reuse-{reuse.pk}",
    )


DECIDED = {
    Reuse.Status.VERIFIED: texts.REUSE_VERIFIED,
    Reuse.Status.REFUSED: texts.REUSE_REFUSED,
    Reuse.Status.LAPSED: texts.REUSE_LAPSED,
}


def reuse_decided(reuse: Reuse, *, by) -> None:
    project = reuse.project
    notify(
        kind=Notification.Kind.REUSE_DECIDED,
        recipients=[reuse.declared_by, *_team(project)],
        project=project,
        actor=by,
        text=texts.Message(
            DECIDED[reuse.status], {"organisation": reuse.organisation, "title": project.title}
        ),
        url=project.get_absolute_url() + f"#reuse-{reuse.pk}",
    )


def reuse_confirm(reuse: Reuse, *, until) -> None:
    project = reuse.project
    notify(
        kind=Notification.Kind.REUSE_CONFIRM,
        recipients=[reuse.declared_by],
        project=project,
        actor=None,
        text=texts.Message(
            texts.REUSE_CONFIRM,
            {"organisation": reuse.organisation, "title": project.title, "until": until},
        ),
        url=project.get_absolute_url() + f"#reuse-{reuse.pk}",
    )


def renewal_opened(review: RenewalReview, *, by) -> None:
    project = review.project
    notify(
        kind=Notification.Kind.RENEWAL_OPENED,
        recipients=_reviewers(project) + _team(project),
        project=project,
        actor=by,
        text=texts.Message(
            texts.RENEWAL_OPENED,
            {"title": project.title, "reason": RenewalReview.Reason(review.reason).label},
        ),
        url=project.get_absolute_url() + "#renewal",
    )


def renewal_decided(review: RenewalReview, *, by) -> None:
    project = review.project
    notify(
        kind=Notification.Kind.RENEWAL_DECIDED,
        recipients=list(workflow_services._followers(project)),
        project=project,
        actor=by,
        text=texts.Message(
            texts.RENEWAL_DECIDED,
            {"title": project.title, "outcome": RenewalStatus(review.outcome).label},
        ),
        url=project.get_absolute_url() + "#renewal",
    )
