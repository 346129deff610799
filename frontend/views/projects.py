"""Project pages: the list with its filters, the project page, propose, edit, follow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from projects import access
from projects import services as project_services
from projects.errors import Conflict, Invalid
from projects.filters import ProjectFilter
from projects.models import Project
from workflows import services as workflow_services

from ..forms import ProjectFilterForm, ProjectForm
from ..http import add_service_errors, confirm, refusals, require_post
from .parts import page_context

PAGE_SIZE = 20


@require_GET
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    found = ProjectFilter(
        request.GET, queryset=Project.objects.visible_to(request.user), request=request
    )
    projects = found.qs if found.is_valid() else Project.objects.none()
    projects = projects.prefetch_related("themes", "territories").order_by("-updated_at", "-id")
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "frontend/projects/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in ProjectFilterForm.base_fields),
        },
    )


@require_GET
@refusals
@access.reads_once
def project_detail(request, pk):
    project = access.access_project(request.user, pk)
    return render(request, "frontend/projects/detail.html", page_context(request.user, project))


def render_project_page(request, project, *, bound: dict, status: int = 400):
    """The project page again, with a form that failed kept as the person filled it."""
    return render(
        request,
        "frontend/projects/detail.html",
        page_context(request.user, project, bound=bound),
        status=status,
    )


@login_required
@refusals
def project_propose(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = workflow_services.propose_project(by=request.user, **form.service_fields())
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre projet est proposé. Bienvenue dans l'incubateur !"))
            return redirect("frontend:project_detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "frontend/projects/form.html", {"form": form, "project": None}, status=status
    )


@login_required
@refusals
def project_edit(request, pk):
    project = access.access_project(request.user, pk)
    access.require(access.can_edit(request.user, project), request.user)
    # The form gets its own copy: validation writes into its instance, the heading keeps the
    # saved title.
    form = ProjectForm(request.POST or None, instance=access.access_project(request.user, pk))
    if request.method == "POST" and form.is_valid():
        try:
            project_services.update_project(
                by=request.user, project=project, **form.service_fields()
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Les modifications sont enregistrées."))
            return redirect("frontend:project_detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "frontend/projects/form.html",
        {"form": form, "project": project},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@refusals
def project_delete(request, pk):
    """GET asks first (a page, or a dialog on the project page); POST deletes."""
    project = access.access_project(request.user, pk)
    if request.method == "GET":
        access.require(access.can_delete(request.user, project), request.user)
        return confirm(
            request,
            title=_("Supprimer le projet « %(title)s » ?") % {"title": project.title},
            question=_(
                "Le projet, son équipe, sa liste de critères et sa discussion seront effacés. "
                "Cette action est définitive."
            ),
            action=reverse("frontend:project_delete", args=[project.pk]),
            confirm=_("Supprimer définitivement"),
            cancel=reverse("frontend:project_detail", args=[project.pk]),
        )
    try:
        workflow_services.delete_project(by=request.user, project=project)
    except Conflict as error:
        messages.error(request, str(error.detail))
        return redirect("frontend:project_detail", pk=project.pk)
    messages.success(request, _("Le projet « %(title)s » est supprimé.") % {"title": project.title})
    return redirect("frontend:project_list")


@require_post
@refusals
def project_follow(request, pk):
    project = access.access_project(request.user, pk)
    if request.POST.get("follow") == "0":
        project_services.unfollow_project(by=request.user, project=project)
        messages.success(request, _("Vous ne suivez plus ce projet."))
    else:
        project_services.follow_project(by=request.user, project=project)
        messages.success(request, _("Vous suivez ce projet : ses nouvelles vous seront notifiées."))
    return redirect("frontend:project_detail", pk=project.pk)
