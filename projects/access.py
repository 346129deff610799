"""Who may see and do what on a project: the one place every interface asks.

Platform roles are groups holding global permissions (curators, reviewers, funders); team
roles are memberships mirrored as guardian object permissions (see ``permissions.py``).
A permission holds if the person has it globally or on the project.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db.models import Q

from .errors import Forbidden, NotAuthenticated, NotFound
from .models import (
    Comment,
    Membership,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    Visibility,
)

User = AbstractBaseUser | AnonymousUser


def has(user: User, perm: str, project: Project) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(f"projects.{perm}") or user.has_perm(f"projects.{perm}", project)


def is_team_member(user: User, project: Project) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(project=project, user_id=user.pk).exists()
    )


def can_view(user: User, project: Project) -> bool:
    return project.visibility == Visibility.PUBLIC or has(user, "view_project", project)


def readers_among(users, project: Project) -> set:
    """The pks of ``users`` for whom ``can_view`` holds, in one query for a restricted
    project and none for a public one: ``can_view`` for a whole list of recipients."""
    pks = {user.pk for user in users}
    if project.visibility == Visibility.PUBLIC or not pks:
        return pks
    perm = Permission.objects.filter(codename="view_project", content_type__app_label="projects")
    on_project = {"content_object": project, "permission__in": perm}
    readers = (
        get_user_model()
        .objects.filter(pk__in=pks, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=perm)
            | Q(groups__permissions__in=perm)
            | Q(pk__in=ProjectUserObjectPermission.objects.filter(**on_project).values("user_id"))
            | Q(
                groups__in=ProjectGroupObjectPermission.objects.filter(**on_project).values(
                    "group_id"
                )
            )
        )
    )
    return set(readers.values_list("pk", flat=True).distinct())


def can_edit(user: User, project: Project) -> bool:
    """Edit the project, attest checklist items, open or withdraw a gate review."""
    return has(user, "change_project", project)


def can_manage_team(user: User, project: Project) -> bool:
    return has(user, "manage_team", project)


def can_delete(user: User, project: Project) -> bool:
    return has(user, "delete_project", project)


def can_archive(user: User, project: Project) -> bool:
    return has(user, "archive_project", project)


def can_reopen(user: User, project: Project) -> bool:
    return has(user, "reopen_project", project)


def can_review(user: User, project: Project) -> bool:
    """Verify items, decide on reviews, send back. Never on one's own project."""
    return has(user, "review_project", project) and not is_team_member(user, project)


def can_comment(user: User, project: Project) -> bool:
    return user.is_authenticated and user.is_active and can_view(user, project)


def can_change_comment(user: User, comment: Comment) -> bool:
    """Authors edit and delete their own comments; curators moderate any."""
    if not user.is_authenticated or not user.is_active:
        return False
    return comment.author_id == user.pk or user.has_perm("projects.moderate_comments")


def can_see_everything(user: User) -> bool:
    """Reviewers, funders and curators read every project, restricted ones included."""
    return user.is_authenticated and user.has_perm("projects.view_project")


def get_project(user: User, pk, *, lock: bool = False) -> Project:
    """The project ``pk`` if ``user`` may read it; NotFound alike for hidden and missing.

    With ``lock`` the row is taken with SELECT ... FOR UPDATE (call inside a transaction).
    """
    queryset = Project.objects.select_for_update() if lock else Project.objects.all()
    try:
        project = queryset.get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_view(user, project):
        raise NotFound()
    return project


def require(allowed: bool, user: User, detail=None) -> None:
    """Raise the right refusal: 401 for a visitor, 403 for a signed-in person."""
    if allowed:
        return
    if not user.is_authenticated:
        raise NotAuthenticated()
    raise Forbidden(detail)


class Abilities:
    """The questions above answered for a whole page of projects in a constant number of
    queries: the person's global permissions (cached on the user), their object permissions
    on these projects (one query each for user and group rows) and the prefetched teams.

    The rules are access's: a permission holds globally or on the project; reviewing is never
    on one's own project; commenting needs a signed-in person who can read the project.
    ``tests/projects/test_api_projects.py`` checks both agree for every role.
    """

    CODENAMES = {
        "edit": "change_project",
        "manage_team": "manage_team",
        "delete": "delete_project",
        "archive": "archive_project",
        "reopen": "reopen_project",
        "review": "review_project",
    }

    def __init__(self, user, projects):
        self.user = user
        self.granted: dict[int, set[str]] = {}
        self.active = user.is_authenticated and user.is_active
        if not self.active:
            return
        codenames = {*self.CODENAMES.values(), "view_project"}
        self.global_perms = {
            codename for codename in codenames if user.has_perm(f"projects.{codename}")
        }
        pks = [project.pk for project in projects]
        if pks and self.global_perms != codenames:
            # The person's own rows and their groups' rows, in one round trip.
            rows = ProjectUserObjectPermission.objects.filter(
                user=user, content_object_id__in=pks
            ).values_list("content_object_id", "permission__codename")
            group_rows = ProjectGroupObjectPermission.objects.filter(
                group__user=user, content_object_id__in=pks
            ).values_list("content_object_id", "permission__codename")
            for pk, codename in rows.union(group_rows, all=True):
                self.granted.setdefault(pk, set()).add(codename)

    def has(self, codename: str, project: Project) -> bool:
        return self.active and (
            codename in self.global_perms or codename in self.granted.get(project.pk, ())
        )

    def for_project(self, project: Project) -> dict[str, bool]:
        answer = {name: self.has(codename, project) for name, codename in self.CODENAMES.items()}
        in_team = any(m.user_id == self.user.pk for m in project.memberships.all())
        answer["review"] = answer["review"] and not in_team
        answer["comment"] = self.active and (
            project.visibility == Visibility.PUBLIC or self.has("view_project", project)
        )
        return answer
