"""The home page and the pipeline board."""

from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.models import PATH, Project, Stage

BOARD_LIMIT = 50


def stage_counts(user) -> dict:
    rows = Project.objects.visible_to(user).values("stage").annotate(n=Count("id"))
    return {row["stage"]: row["n"] for row in rows}


@require_GET
def home(request):
    counts = stage_counts(request.user)
    recent = (
        Project.objects.visible_to(request.user)
        .exclude(stage=Stage.ARCHIVED)
        .order_by("-updated_at", "-id")[:6]
    )
    return render(
        request,
        "frontend/home.html",
        {
            "stages": [(Stage(stage), counts.get(stage, 0)) for stage in PATH],
            "archived": counts.get(Stage.ARCHIVED, 0),
            "total": sum(counts.values()),
            "recent": recent,
        },
    )


@require_GET
def board(request):
    """One column per stage, archived last; each column shows its most recent projects."""
    counts = stage_counts(request.user)
    visible = Project.objects.visible_to(request.user).order_by("-stage_changed_at", "-id")
    columns = [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "count": counts.get(stage, 0),
            "projects": list(visible.filter(stage=stage)[:BOARD_LIMIT]),
        }
        for stage in [*PATH, Stage.ARCHIVED]
    ]
    return render(request, "frontend/board.html", {"columns": columns, "limit": BOARD_LIMIT})
