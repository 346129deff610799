"""The public index of lessons: what composted projects learned, for others to reuse."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workflows import lifecycle


@require_GET
def lesson_index(request):
    """Every lesson the person may read (a restricted project's lesson stays with the
    project's readers), newest first."""
    page = Paginator(lifecycle.lessons_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "frontend/lessons.html", {"page": page})
