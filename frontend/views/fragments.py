"""Server-rendered fragments the live module fetches when an event arrives. Each renders
the same template as the first render of the page, for the person asking; its permission
questions are answered from one reading of their rights (``access.reads_once``)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from evidence import read as evidence_read
from evidence import verification
from projects import access
from projects.errors import NotFound
from workflows import gates

from ..http import refusals
from .commons import commons_context
from .parts import (
    checklist_item_context,
    comment_context,
    comment_queryset,
    item_rights,
    review_context,
    stage_context,
    workflow_context,
)

MAX_ITEMS = 50


@require_GET
@refusals
@access.reads_once
def item_fragment(request, pk, item_id):
    project = access.access_project(request.user, pk)
    gate = gates.next_gate(project)
    item = gates.checklist_for(project, gate).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    rights = item_rights(request.user, project, gate)
    context = checklist_item_context(project, item, rights=rights)
    return render(request, "frontend/fragments/checklist_item.html", context)


@require_GET
@refusals
@access.reads_once
def review_fragment(request, pk):
    project = access.access_project(request.user, pk)
    return render(request, "frontend/fragments/review.html", review_context(request.user, project))


@require_GET
@refusals
@access.reads_once
def workflow_fragment(request, pk):
    project = access.access_project(request.user, pk)
    return render(
        request, "frontend/fragments/workflow.html", workflow_context(request.user, project)
    )


@require_GET
@refusals
@access.reads_once
def commons_fragment(request, pk):
    """The reuses and renewal section with the commons badge of the page's head, after a
    ``reuse.*``, ``renewal.*`` or ``project.stage_changed`` event."""
    project = access.access_project(request.user, pk)
    context = {"project": project, **commons_context(request.user, project)}
    return render(request, "frontend/fragments/commons_live.html", context)


@require_GET
@refusals
@access.reads_once
def comment_fragment(request, pk, comment_id):
    project = access.access_project(request.user, pk)
    comment = comment_queryset(project).filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    context = {"project": project, "c": comment_context(request.user, project, comment)}
    return render(request, "frontend/fragments/comment.html", context)


@require_GET
@refusals
@access.reads_once
def parts_fragment(request, pk):
    """Several fragments in one answer, for the events that arrived together: the checklist
    items named by ``item`` (repeatable), and with them the stage summary and the review
    panel; or ``workflow=1``, the whole workflow (the stage changed). The page swaps each
    top-level element for the one with the same id."""
    project = access.access_project(request.user, pk)
    if request.GET.get("workflow"):
        return workflow_fragment(request, pk)
    try:
        wanted = {int(value) for value in request.GET.getlist("item")}
    except ValueError:
        raise NotFound() from None
    if len(wanted) > MAX_ITEMS:
        raise NotFound()
    gate = gates.next_gate(project)
    items = list(gates.checklist_for(project, gate))
    rights = item_rights(request.user, project, gate)
    asked = [item for item in items if item.pk in wanted]
    # The automatic evidence and the overrides of the items asked for, read once for all.
    evidence = evidence_read.evidence_by_criterion(project, [item.criterion_id for item in asked])
    overrides = verification.overrides_by_item(project, [item.pk for item in asked])
    html = [
        render_to_string(
            "frontend/fragments/checklist_item.html",
            checklist_item_context(
                project, item, rights=rights, evidence=evidence, overrides=overrides
            ),
            request=request,
        )
        for item in asked
    ]
    html.append(
        render_to_string(
            "frontend/fragments/stage.html", stage_context(project, gate, items), request=request
        )
    )
    html.append(
        render_to_string(
            "frontend/fragments/review.html",
            review_context(request.user, project, items=items),
            request=request,
        )
    )
    return HttpResponse("".join(html))
