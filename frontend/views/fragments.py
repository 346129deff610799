"""Server-rendered fragments the live module fetches when an event arrives. Each renders
the same template as the first render of the page, for the person asking."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects import access
from projects.errors import NotFound
from workflows import gates

from ..http import refusals
from .parts import (
    checklist_item_context,
    comment_context,
    comment_queryset,
    item_rights,
    review_context,
    workflow_context,
)


@require_GET
@refusals
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
def review_fragment(request, pk):
    project = access.access_project(request.user, pk)
    return render(request, "frontend/fragments/review.html", review_context(request.user, project))


@require_GET
@refusals
def workflow_fragment(request, pk):
    project = access.access_project(request.user, pk)
    return render(
        request, "frontend/fragments/workflow.html", workflow_context(request.user, project)
    )


@require_GET
@refusals
def comment_fragment(request, pk, comment_id):
    project = access.access_project(request.user, pk)
    comment = comment_queryset(project).filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    context = {"project": project, "c": comment_context(request.user, project, comment)}
    return render(request, "frontend/fragments/comment.html", context)
