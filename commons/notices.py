"""Who is told what about reuses and renewals. Called by the services in their transaction;
``notify`` skips the actor, inactive people and those who may not read the project, and
sends e-mail by each person's preference for the kind (immediate, daily or weekly digest)."""

from django.utils.translation import gettext_lazy

from notifications.models import Notification
from notifications.services import message, notify
from workflows import services as workflow_services
from workflows.models import Gate, GateStage

from .models import RenewalReview, Reuse


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
        text=message(
            gettext_lazy("%(organisation)s déclare réutiliser « %(title)s »."),
            {"organisation": reuse.organisation, "title": project.title},
        ),
        url=project.get_absolute_url() + f"#reuse-{reuse.pk}",
    )


DECIDED = {
    Reuse.Status.VERIFIED: gettext_lazy(
        "La réutilisation de « %(title)s » par %(organisation)s est vérifiée."
    ),
    Reuse.Status.REFUSED: gettext_lazy(
        "La réutilisation de « %(title)s » par %(organisation)s est refusée."
    ),
    Reuse.Status.LAPSED: gettext_lazy(
        "La réutilisation de « %(title)s » par %(organisation)s est échue, faute de confirmation."
    ),
}


def reuse_decided(reuse: Reuse, *, by) -> None:
    project = reuse.project
    notify(
        kind=Notification.Kind.REUSE_DECIDED,
        recipients=[reuse.declared_by, *_team(project)],
        project=project,
        actor=by,
        text=message(
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
        text=message(
            gettext_lazy(
                "%(organisation)s réutilise-t-elle toujours « %(title)s » ? Confirmez-le "
                "avant le %(until)s, sinon la réutilisation sera échue."
            ),
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
        text=message(
            gettext_lazy("Le commun « %(title)s » passe en revue de renouvellement (%(reason)s)."),
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
        text=message(
            gettext_lazy("Le commun « %(title)s » : %(outcome)s."),
            {"title": project.title, "outcome": review.get_outcome_display()},
        ),
        url=project.get_absolute_url() + "#renewal",
    )
