"""A signed-in person's own space, "Mon espace": their projects with the next step in
words, what waits for them (reviews, verifications, moderation, notifications), the
projects they follow and, for funders, the portfolio in brief."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from notifications.models import Notification
from portfolio import figures as portfolio
from projects.models import Project
from workflows import configuration, progress

from .console import recent_comments_count, stuck_reviews

LISTED = 20
STUCK_DAYS = 14


def _with_progress(projects) -> list:
    """Each project's progress, the ones still on their way first (most recent first),
    then the commons and the archived ones."""
    projects = list(projects)
    found = progress.progress_for(projects)
    entries = [found[project.pk] for project in projects]
    return sorted(entries, key=lambda entry: entry.gate is None)


@require_GET
@login_required
def space(request):
    user = request.user
    mine = Project.objects.filter(memberships__user=user).order_by("-updated_at", "-id")
    followed = (
        Project.objects.visible_to(user)
        .filter(follows__user=user)
        .exclude(memberships__user=user)
        .order_by("-updated_at", "-id")
    )
    queue = progress.review_queue(user)
    curator = configuration.can_configure(user)
    reviewer = user.has_perm("projects.review_project")
    # Funders (who read everything but review nothing) and curators see the portfolio.
    overseer = user.has_perm("projects.view_project") and (curator or not reviewer)
    unread = Notification.objects.filter(recipient=user, read_at=None)
    context = {
        "mine": _with_progress(mine[:LISTED]),
        "followed": _with_progress(followed[:LISTED]),
        "is_reviewer": reviewer,
        "queue": queue,
        "oldest_reviews": queue.reviews[:5],
        "is_curator": curator,
        "stuck_count": stuck_reviews(STUCK_DAYS).count() if curator else 0,
        "stuck_days": STUCK_DAYS,
        "moderation_count": recent_comments_count() if curator else 0,
        "unread_count": unread.count(),
        "unread": list(unread.select_related("project").order_by("-created_at", "-id")[:5]),
        "summary": portfolio.figures(user, portfolio.Filters()) if overseer else None,
    }
    return render(request, "frontend/space/space.html", context)
