"""Platform roles are groups with global permissions; team roles are guardian rows derived
from memberships by one function."""

from django.contrib.auth.models import Group

from projects import access
from projects.models import ProjectUserObjectPermission, Role
from projects.permissions import ROLE_PERMISSIONS, sync_permissions
from projects.services import add_member, change_role, remove_member


def codenames(group):
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_platform_groups_hold_the_documented_permissions(db):
    assert codenames("reviewers") == {"view_project", "review_project"}
    assert codenames("funders") == {"view_project"}
    assert {
        "view_project",
        "change_project",
        "delete_project",
        "manage_team",
        "archive_project",
        "reopen_project",
        "review_project",
        "moderate_comments",
        "curate",
        "change_gate",
        "change_criterion",
    } <= codenames("curators")
    assert "curate" not in codenames("reviewers") | codenames("funders")


def test_curator_is_one_predicate(curator, reviewer, funder, stranger, make_user):
    boss = make_user("boss", is_superuser=True)
    retired = make_user("retired", "curators", is_active=False)
    assert [access.is_curator(u) for u in (curator, boss, reviewer, funder, stranger, retired)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def rows(project, user):
    return set(
        ProjectUserObjectPermission.objects.filter(content_object=project, user=user).values_list(
            "permission__codename", flat=True
        )
    )


def test_guardian_rows_follow_memberships(project, owner, member, stranger):
    assert rows(project, owner) == ROLE_PERMISSIONS[Role.OWNER]
    assert rows(project, member) == ROLE_PERMISSIONS[Role.MEMBER]
    add_member(by=owner, project=project, user_id=stranger.pk)
    assert access.can_edit(stranger, project)
    change_role(by=owner, project=project, user_id=stranger.pk, role=Role.OWNER)
    assert rows(project, stranger) == ROLE_PERMISSIONS[Role.OWNER]
    remove_member(by=owner, project=project, user_id=stranger.pk)
    assert rows(project, stranger) == set()
    assert not access.can_edit(stranger, project)


def test_sync_repairs_hand_edited_rows(project, owner, stranger):
    ProjectUserObjectPermission.objects.filter(content_object=project, user=owner).delete()
    ProjectUserObjectPermission.objects.create(
        content_object=project,
        user=stranger,
        permission=ProjectUserObjectPermission._meta.get_field(
            "permission"
        ).related_model.objects.get(codename="change_project"),
    )
    sync_permissions(project)
    assert rows(project, owner) == ROLE_PERMISSIONS[Role.OWNER]
    assert rows(project, stranger) == set()
