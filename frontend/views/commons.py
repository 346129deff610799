"""The reuse registry and renewal reviews on the project page: the section's context, and
the forms that each call one ``commons`` service and return to the page."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commons import read as commons_read
from commons import services as commons_services
from commons.models import RenewalReview, Reuse
from projects import access
from projects.errors import NotFound
from projects.models import Stage
from workflows import gates
from workflows.models import Gate, GateStage

from ..commons_forms import RenewalVoteForm, ReuseForm, ReuseNoteForm
from ..http import refusals, require_post


def commons_context(user, project, *, bound=None) -> dict:
    """The reuses as this person may list them, with what they may do on each; the commons'
    renewal status and open review."""
    bound = bound or {}
    gate = Gate.objects.prefetch_related("reviewers").filter(stage=GateStage.COMMONS).first()
    reviewer = gate is not None and gates.may_review(user, project, gate)
    team = set(project.memberships.values_list("user_id", flat=True))
    reuses = []
    for reuse in commons_read.reuses_for(user, project):
        reuse.project = project
        pending = reuse.status == Reuse.Status.DECLARED
        reuses.append(
            {
                "reuse": reuse,
                "counts": reuse.status == Reuse.Status.VERIFIED
                and reuse.declared_by_id not in team,
                "contact": reuse.contact if commons_read.may_see_contact(user, reuse) else "",
                "confirm_by": commons_read.confirm_by(reuse),
                "may_verify": reviewer and pending and reuse.declared_by_id != user.pk,
                "may_confirm": reuse.status == Reuse.Status.VERIFIED
                and reuse.declared_by_id == user.pk,
                "note_form": bound.get(f"reuse-{reuse.pk}")
                or ReuseNoteForm(prefix=f"reuse-{reuse.pk}"),
            }
        )
    renewal = commons_read.open_renewal(project) if project.stage == Stage.COMMONS else None
    voted = renewal is not None and renewal.votes.filter(reviewer_id=user.pk).exists()
    status = commons_read.commons_status(project)
    may_open = False
    if project.stage == Stage.COMMONS and renewal is None:
        may_open = access.can_review(user, project) or (
            access.can_edit(user, project) and status["status"] != "renewed"
        )
    return {
        "reuses": reuses,
        "reuses_counted": sum(1 for entry in reuses if entry["counts"]),
        "reuses_required": gate.reuses_required if gate else 1,
        "may_declare": access.is_signed_in(user) and project.visibility == "public",
        "reuse_form": bound.get("reuse") or ReuseForm(prefix="reuse"),
        "commons_status": status,
        "renewal": renewal,
        "renewal_votes": list(renewal.votes.select_related("reviewer")) if renewal else [],
        "renewal_reasons": dict(RenewalReview.Reason.choices),
        "may_vote_renewal": renewal is not None
        and not voted
        and gate is not None
        and gates.may_review(user, project, gate),
        "renewal_form": bound.get("renewal") or RenewalVoteForm(prefix="renewal"),
        "may_open_renewal": may_open,
        "past_renewals": list(project.renewals.filter(status=RenewalReview.Status.DECIDED)[:5]),
    }


def _submit(request, project, **kwargs):
    # The workflow forms' own answer (page again with errors, or back to the anchor); read
    # here, not at import: the workflow views import the page's context, which imports this.
    from .workflow import _submit as submit

    return submit(request, project, **kwargs)


@require_post
@refusals
def reuse_declare(request, pk):
    project = access.access_project(request.user, pk)
    access.require(access.is_signed_in(request.user), request.user)
    return _submit(
        request,
        project,
        form=ReuseForm(request.POST, prefix="reuse"),
        prefix="reuse",
        call=lambda **data: commons_services.declare_reuse(
            by=request.user, project=project, **data
        ),
        success=_("Réutilisation déclarée : un relecteur hors de l'équipe va la vérifier."),
        anchor="reuses",
    )


REUSE_ACTIONS = {
    "verify": (commons_services.verify_reuse, gettext_lazy("Réutilisation vérifiée.")),
    "refuse": (commons_services.refuse_reuse, gettext_lazy("Réutilisation refusée.")),
}


@require_post
@refusals
def reuse_action(request, pk, reuse_id, action):
    reuse = commons_read.access_reuse(request.user, reuse_id, project=pk)
    project = reuse.project
    if action == "confirm":
        return _submit(
            request,
            project,
            form=ReuseNoteForm({}, prefix=f"reuse-{reuse.pk}"),
            prefix=f"reuse-{reuse.pk}",
            call=lambda **data: commons_services.confirm_reuse(by=request.user, reuse=reuse),
            success=_("Merci : la réutilisation est confirmée pour un an."),
            anchor=f"reuse-{reuse.pk}",
        )
    if action not in REUSE_ACTIONS:
        raise NotFound()
    service, success = REUSE_ACTIONS[action]
    prefix = f"reuse-{reuse.pk}"
    return _submit(
        request,
        project,
        form=ReuseNoteForm(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda **data: service(by=request.user, reuse=reuse, **data),
        success=str(success),
        anchor=f"reuse-{reuse.pk}",
    )


@require_post
@refusals
def renewal_open(request, pk):
    project = access.access_project(request.user, pk)
    return _submit(
        request,
        project,
        form=ReuseNoteForm({}, prefix="renewal-open"),
        prefix="renewal-open",
        call=lambda **data: commons_services.open_renewal(by=request.user, project=project),
        success=_("La revue de renouvellement est ouverte."),
        anchor="renewal",
    )


@require_post
@refusals
def renewal_vote(request, renewal_id):
    review = commons_read.access_renewal(request.user, renewal_id)
    return _submit(
        request,
        review.project,
        form=RenewalVoteForm(request.POST, prefix="renewal"),
        prefix="renewal",
        call=lambda **data: commons_services.vote_renewal(by=request.user, review=review, **data),
        success=_("Votre avis est enregistré."),
        anchor="renewal",
    )
