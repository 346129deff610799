"""A reviewer's "À relire": the open gate reviews waiting for their decision, with their
progress (approvals and verified items), the checklist items waiting for their
verification, the commons' renewal reviews to decide and the declared reuses to verify,
oldest first, each one click from its place on the project page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commons import read as commons_read
from projects import access
from projects.models import Project
from workflows import progress
from workflows.models import Condition

from ..http import refusals


@require_GET
@login_required
@refusals
def inbox(request):
    user = request.user
    access.require(user.has_perm("projects.review_project"), user)
    queue = progress.review_queue(user)
    # The open conditions of the projects this person may review, the soonest due first.
    conditions = (
        Condition.objects.filter(
            status=Condition.Status.OPEN, project__in=Project.objects.restrict(user, "review")
        )
        .select_related("project", "owner")
        .order_by("due_on", "id")[:50]
    )
    context = {
        "reviews": queue.reviews,
        "items": queue.items,
        "conditions": conditions,
        **commons_read.reviewer_queue(user),
    }
    return render(request, "frontend/inbox/inbox.html", context)
