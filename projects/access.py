"""Who may see and do what on a project: the one place every interface asks.

Platform roles are groups holding global permissions (curators, reviewers, funders); team
roles are memberships mirrored as guardian object permissions (see ``permissions.py``).
A permission holds if the person has it globally or on the project.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .errors import Forbidden, NotAuthenticated, NotFound
from .models import Comment, Membership, Project, Visibility

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
