"""Team management: owners and curators add people, change roles and remove members;
a member may leave."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects import access
from projects import services as project_services
from projects.errors import Invalid, NotFound

from ..forms import AddMemberForm, RoleForm
from ..http import add_service_errors, confirm, error_text, refusals, require_post
from ..templatetags.incubator import person


def _team_page(request, project, *, add_form=None, status=200):
    memberships = list(project.memberships.select_related("user"))
    for membership in memberships:
        membership.role_form = RoleForm(
            prefix=f"role-{membership.user_id}", initial={"role": membership.role}
        )
    return render(
        request,
        "frontend/projects/team.html",
        {
            "project": project,
            "memberships": memberships,
            "add_form": add_form or AddMemberForm(),
            "can_manage": access.can_manage_team(request.user, project),
        },
        status=status,
    )


@login_required
@refusals
def team(request, pk):
    project = access.access_project(request.user, pk)
    access.require(
        access.is_team_member(request.user, project)
        or access.can_manage_team(request.user, project),
        request.user,
    )
    if request.method != "POST":
        return _team_page(request, project)
    access.require(access.can_manage_team(request.user, project), request.user)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            project_services.add_member(
                by=request.user,
                project=project,
                user_id=form.user.pk,
                role=form.cleaned_data["role"],
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s fait partie de l'équipe.") % {"name": form.user.get_username()}
            )
            return redirect("frontend:team", pk=project.pk)
    return _team_page(request, project, add_form=form, status=400)


@require_post
@refusals
def change_role(request, pk, user_id):
    project = access.access_project(request.user, pk)
    form = RoleForm(request.POST, prefix=f"role-{user_id}")
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect("frontend:team", pk=project.pk)
    try:
        project_services.change_role(
            by=request.user, project=project, user_id=user_id, role=form.cleaned_data["role"]
        )
    except Invalid as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Le rôle est modifié."))
    return redirect("frontend:team", pk=project.pk)


@require_http_methods(["GET", "POST"])
@refusals
def remove_member(request, pk, user_id):
    """GET asks first (a page, or a dialog on the team page); POST removes."""
    project = access.access_project(request.user, pk)
    if request.method == "GET":
        return _confirm_removal(request, project, user_id)
    try:
        project_services.remove_member(by=request.user, project=project, user_id=user_id)
    except Invalid as error:
        messages.error(request, error_text(error))
        return redirect("frontend:team", pk=project.pk)
    if request.user.pk == user_id:
        messages.success(request, _("Vous avez quitté l'équipe."))
        if not access.can_view(request.user, project):
            return redirect("frontend:project_list")
        return redirect("frontend:project_detail", pk=project.pk)
    messages.success(request, _("La personne a quitté l'équipe."))
    return redirect("frontend:team", pk=project.pk)


def _confirm_removal(request, project, user_id):
    membership = project.memberships.select_related("user").filter(user_id=user_id).first()
    if membership is None:
        raise NotFound()
    leaving = request.user.pk == user_id
    access.require(leaving or access.can_manage_team(request.user, project), request.user)
    names = {"name": person(membership.user), "title": project.title}
    return confirm(
        request,
        title=_("Quitter l'équipe de « %(title)s » ?") % names
        if leaving
        else _("Retirer %(name)s de l'équipe ?") % names,
        question=_("Vous ne pourrez plus modifier ce projet, sauf si l'on vous y invite à nouveau.")
        if leaving
        else _("%(name)s ne pourra plus modifier « %(title)s », sauf si on l'invite à nouveau.")
        % names,
        action=reverse("frontend:team_remove", args=[project.pk, user_id]),
        confirm=_("Quitter l'équipe") if leaving else _("Retirer de l'équipe"),
        cancel=reverse("frontend:team", args=[project.pk]),
    )
