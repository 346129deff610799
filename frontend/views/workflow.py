"""The workflow forms of the project page: checklist answers, gate reviews, decisions and
stage transitions. Each view validates the form, calls one workflow service and returns to
the page; the service decides whether the action is allowed."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import access, stages
from projects.errors import Conflict, Invalid, NotFound
from workflows import access as workflow_access
from workflows import lifecycle
from workflows import services as workflow_services

from ..forms import (
    MAX_CONDITIONS,
    AttestForm,
    NotApplicableForm,
    NoteForm,
    RejectForm,
    VerifyForm,
)
from ..http import add_service_errors, refusals, require_post
from .parts import decision_form, item_prefixes, transition_form
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


# Sent by the live module with the forms it posts in the background (``data-live-form``).
LIVE_FORM_HEADER = "X-Live-Form"


def back_to(project, anchor: str):
    return redirect(reverse("frontend:project_detail", args=[project.pk]) + f"#{anchor}")


def done(request, project, anchor: str, text: str, *, level: int = messages.SUCCESS):
    """The answer to a form once its service has spoken: back to the page, with ``text`` as
    its message. A form the live module posted in the background gets the message alone,
    as JSON, and its page stays as it is: the change reaches that page through the socket,
    as it reaches everyone else's, and the server renders no page for nothing."""
    if request.headers.get(LIVE_FORM_HEADER) == "1":
        return JsonResponse({"level": messages.DEFAULT_TAGS[level], "message": str(text)})
    messages.add_message(request, level, text)
    return back_to(project, anchor)


def conflict_text(error: Conflict) -> str:
    details = [str(error.detail)]
    details += [
        str(b["detail"]) for b in error.extra.get("blockers", []) if b["detail"] != error.detail
    ]
    return " ".join(details)


def _submit(request, project, *, form, prefix: str, call, success: str, anchor: str):
    """Validate, call the service, and answer: back to the page on success or conflict,
    the page with the form's errors on bad input."""
    if form.is_valid():
        try:
            call(**form.cleaned_data)
        except Invalid as error:
            add_service_errors(form, error)
        except Conflict as error:
            return done(request, project, anchor, conflict_text(error), level=messages.ERROR)
        else:
            return done(request, project, anchor, success)
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
        return done(request, project, "review", conflict_text(error), level=messages.ERROR)
    text = _("La revue de passage est ouverte : les relecteurs sont prévenus.")
    return done(request, project, "review", text)


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
        return done(request, project, "review", conflict_text(error), level=messages.ERROR)
    return done(request, project, "review", _("La revue de passage est retirée."))


@require_post
@refusals
def review_decide(request, review_id):
    project, review = _review(request, review_id)
    if "add-condition" in request.POST:
        return _one_more_condition(request, project, review)
    return _submit(
        request,
        project,
        form=decision_form(project, review.gate, data=request.POST),
        prefix="decide",
        call=lambda **data: workflow_services.decide(by=request.user, review=review, **data),
        success=_("Votre décision est enregistrée."),
        anchor="review",
    )


def _one_more_condition(request, project, review):
    """ "Ajouter une condition" without JavaScript: the vote's form comes back as it was
    typed, with one more blank condition, and nothing is written."""
    typed = decision_form(project, review.gate, data=request.POST)
    rows = typed.typed_rows()
    shown = min(len(typed.conditions.forms) + 1, MAX_CONDITIONS)
    rows += [{}] * max(shown - len(rows) - 1, 0)
    initial = {name: typed[name].value() for name in ("verdict", "rationale")}
    form = decision_form(project, review.gate, initial=initial, rows=rows)
    return render_project_page(request, project, bound={"decide": form}, status=200)


TRANSITION_DONE = {
    "hold": gettext_lazy("La pause est enregistrée."),
    "lift_hold": gettext_lazy("La levée de la pause est enregistrée."),
    "compost": gettext_lazy("Le projet est composté : sa leçon est publiée."),
}


@require_post
@refusals
def transition(request, pk, name):
    project = access.access_project(request.user, pk)
    # The stage machine's transitions that take a rationale, compost with its lesson, and
    # the hold, which pauses the project without changing its stage.
    method = stages.find(type(project), name)
    offered = method is not None and (stages.rationale_required(method) or name == "compost")
    if not offered and name not in ("hold", "lift_hold"):
        raise NotFound()
    services = {"hold": lifecycle.hold, "lift_hold": lifecycle.lift_hold}

    def call(**data):
        if name in services:
            return services[name](by=request.user, project=project, **data)
        return workflow_services.fire(by=request.user, project=project, name=name, **data)

    return _submit(
        request,
        project,
        form=transition_form(project, name, data=request.POST),
        prefix=f"transition-{name}",
        call=call,
        success=str(TRANSITION_DONE.get(name, _("L'étape du projet a changé."))),
        anchor="workflow",
    )


@require_post
@refusals
def condition_action(request, pk, condition_id, action):
    """A reviewer says a condition is met, or a curator waives it."""
    services = {"met": lifecycle.meet_condition, "waive": lifecycle.waive_condition}
    if action not in services:
        raise NotFound()
    condition = workflow_access.access_condition(request.user, condition_id, project=pk)
    prefix = f"{action}-{condition.pk}"
    return _submit(
        request,
        condition.project,
        form=NoteForm(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda **data: services[action](by=request.user, condition=condition, **data),
        success=_("La condition est close."),
        anchor=f"condition-{condition.pk}",
    )
