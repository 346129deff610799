"""A reviewer's inbox: the open gate reviews waiting for their decision and the checklist
items waiting for their verification."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects import access
from projects.models import Project
from workflows import gates
from workflows.models import ChecklistItem, Gate, GateReview, ItemStatus

from ..http import refusals


@require_GET
@login_required
@refusals
def inbox(request):
    user = request.user
    access.require(user.has_perm("projects.review_project"), user)
    # The projects this person may review (never their own team's) and the gates whose pool
    # they are in: a fixed number of queries however many reviews wait.
    reviewable = Project.objects.restrict(user, "review")
    pools = [g.pk for g in Gate.objects.prefetch_related("reviewers") if gates.in_pool(user, g)]
    reviews = list(
        GateReview.objects.filter(
            status=GateReview.Status.OPEN, project__in=reviewable, gate_id__in=pools
        )
        .exclude(decisions__reviewer=user)
        .select_related("project", "gate", "opened_by")
        .order_by("opened_at", "id")
    )
    awaiting = Q(status=ItemStatus.ATTESTED) | Q(
        status=ItemStatus.NOT_APPLICABLE, na_accepted=False
    )
    items = [
        item
        for item in ChecklistItem.objects.filter(
            awaiting, project__in=reviewable, criterion__gate_id__in=pools
        )
        .select_related("project", "criterion__gate", "updated_by")
        .order_by("updated_at", "id")
        if item.criterion.gate.stage == item.project.next_stage
    ]
    return render(request, "frontend/inbox/inbox.html", {"reviews": reviews, "items": items})
