"""The workflow forms of the project page: checklist answers, gate reviews, decisions and
stage transitions. Each view validates the form, calls one workflow service and returns to
the page; the service decides whether the action is allowed."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import access, stages
from projects.errors import Conflict, Invalid, NotFound
from workflows import access as workflow_access
from workflows import services as workflow_services

from ..forms import (
    AttestForm,
    DecisionForm,
    NotApplicableForm,
    RationaleForm,
    RejectForm,
    VerifyForm,
)
from ..http import add_service_errors, refusals, require_post
from .parts import item_prefixes
from .projects import render_project_page

ITEM_ACTIONS = {
    "attest": (AttestForm, workflow_services.attest_item, gettext_lazy("Critère attesté.")),
    "not_applicable": (
        NotApplicableForm,
        workflow_services.claim_not_applicable,
        gettext_lazy("Critère déclaré non applicable : un relecteur doit l'accepter."),
    ),
    "verify": (VerifyForm, workflow_services.verify_item, gettext_lazy("Critère vérifié.")),
    "reject": (
        RejectForm,
        workflow_services.reject_item,
        gettext_lazy("Critère refusé, avec votre note."),
    ),
}


def back_to(project, anchor: str):
    return redirect(reverse("frontend:project_detail", args=[project.pk]) + f"#{anchor}")


def conflict_message(request, error: Conflict) -> None:
    details = [str(error.detail)]
    details += [
        str(b["detail"]) for b in error.extra.get("blockers", []) if b["detail"] != error.detail
    ]
    messages.error(request, " ".join(details))


def _submit(request, project, *, form, prefix: str, call, success: str, anchor: str):
    """Validate, call the service, and answer: back to the page on success or conflict,
    the page with the form's errors on bad input."""
    if form.is_valid():
        try:
            call(**form.cleaned_data)
        except Invalid as error:
            add_service_errors(form, error)
        except Conflict as error:
            conflict_message(request, error)
            return back_to(project, anchor)
        else:
            messages.success(request, success)
            return back_to(project, anchor)
    return render_project_page(request, project, bound={prefix: form})


@require_post
@refusals
def item_action(request, pk, item_id, action):
    if action not in ITEM_ACTIONS:
        raise NotFound()
    item = workflow_access.access_item(request.user, item_id, project=pk)
    project = item.project
    form_class, service, success = ITEM_ACTIONS[action]
    prefix = item_prefixes(item.pk)[action]
    return _submit(
        request,
        project,
        form=form_class(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda **data: service(by=request.user, item=item, **data),
        success=str(success),
        anchor=f"item-{item.pk}",
    )


@require_post
@refusals
def review_open(request, pk):
    project = access.access_project(request.user, pk)
    try:
        workflow_services.open_review(by=request.user, project=project)
    except Conflict as error:
        conflict_message(request, error)
    else:
        messages.success(
            request, _("La revue de passage est ouverte : les relecteurs sont prévenus.")
        )
    return back_to(project, "review")


def _review(request, review_id) -> tuple:
    review = workflow_access.access_review(request.user, review_id)
    return review.project, review


@require_post
@refusals
def review_withdraw(request, review_id):
    project, review = _review(request, review_id)
    try:
        workflow_services.withdraw_review(by=request.user, review=review)
    except Conflict as error:
        conflict_message(request, error)
    else:
        messages.success(request, _("La revue de passage est retirée."))
    return back_to(project, "review")


@require_post
@refusals
def review_decide(request, review_id):
    project, review = _review(request, review_id)
    return _submit(
        request,
        project,
        form=DecisionForm(request.POST, prefix="decide"),
        prefix="decide",
        call=lambda **data: workflow_services.decide(by=request.user, review=review, **data),
        success=_("Votre décision est enregistrée."),
        anchor="review",
    )


@require_post
@refusals
def transition(request, pk, name):
    project = access.access_project(request.user, pk)
    method = stages.find(type(project), name)
    if method is None or not stages.rationale_required(method):
        raise NotFound()
    prefix = f"transition-{name}"
    return _submit(
        request,
        project,
        form=RationaleForm(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda **data: workflow_services.fire(
            by=request.user, project=project, name=name, **data
        ),
        success=_("L'étape du projet a changé."),
        anchor="workflow",
    )
