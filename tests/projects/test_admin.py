"""The admin writes through the services: the team inline keeps an owner, re-derives the
permissions and tells the sockets; comment moderation re-renders and records its event."""

import pytest

from discussion.models import Comment
from discussion.services import post_comment
from projects import events
from projects import services as project_services
from projects.models import Membership, ProjectEvent, ProjectUserObjectPermission, Role
from projects.permissions import ROLE_PERMISSIONS


@pytest.fixture
def admin_client(client, make_user):
    boss = make_user("boss", is_superuser=True, is_staff=True)
    client.force_login(boss)
    return client


@pytest.fixture
def announced(monkeypatch):
    calls = []
    real = events.announce_access_change
    monkeypatch.setattr(events, "announce_access_change", lambda pk: calls.append(pk) or real(pk))
    return calls


def change_data(project, team, **fields):
    """The change form of ``project`` as the admin page posts it, with ``team`` as a list
    of (membership or None, user, role, delete)."""
    data = {
        "title": project.title,
        "summary": project.summary,
        "problem": project.problem,
        "public_served": project.public_served,
        "origin": project.origin,
        "repository_url": project.repository_url,
        "website_url": project.website_url,
        "licence": project.licence,
        "visibility": project.visibility,
        "memberships-TOTAL_FORMS": str(len(team)),
        "memberships-INITIAL_FORMS": str(sum(1 for m, *_ in team if m is not None)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, (membership, user, role, delete) in enumerate(team):
        data[f"memberships-{n}-id"] = membership.pk if membership else ""
        data[f"memberships-{n}-project"] = project.pk
        data[f"memberships-{n}-user"] = user.pk
        data[f"memberships-{n}-role"] = role
        if delete:
            data[f"memberships-{n}-DELETE"] = "on"
    return data


def url(project):
    return f"/admin/projects/project/{project.pk}/change/"


def team_of(project):
    return dict(Membership.objects.filter(project=project).values_list("user__username", "role"))


def rows(project, user):
    return set(
        ProjectUserObjectPermission.objects.filter(content_object=project, user=user).values_list(
            "permission__codename", flat=True
        )
    )


def memberships(project, owner, member):
    return (
        Membership.objects.get(project=project, user=owner),
        Membership.objects.get(project=project, user=member),
    )


def test_the_inline_adds_and_removes_through_the_services(
    admin_client, project, owner, member, stranger, announced, django_capture_on_commit_callbacks
):
    mine, theirs = memberships(project, owner, member)
    team = [
        (mine, owner, Role.OWNER, False),
        (theirs, member, Role.MEMBER, True),
        (None, stranger, Role.MEMBER, False),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(url(project), change_data(project, team))
    assert answer.status_code == 302
    assert team_of(project) == {"owner": Role.OWNER, "stranger": Role.MEMBER}
    assert rows(project, stranger) == ROLE_PERMISSIONS[Role.MEMBER]
    assert rows(project, member) == set()
    assert announced == [project.pk]


def test_the_inline_keeps_an_owner(admin_client, project, owner, member, announced):
    mine, theirs = memberships(project, owner, member)
    team = [(mine, owner, Role.MEMBER, False), (theirs, member, Role.MEMBER, False)]
    answer = admin_client.post(url(project), change_data(project, team))
    assert answer.status_code == 200
    assert "garde au moins un porteur" in answer.content.decode()
    assert team_of(project) == {"owner": Role.OWNER, "member": Role.MEMBER}
    assert rows(project, owner) == ROLE_PERMISSIONS[Role.OWNER]
    assert announced == []


def test_the_inline_changes_a_role_and_hands_over_ownership(admin_client, project, owner, member):
    mine, theirs = memberships(project, owner, member)
    team = [(mine, owner, Role.OWNER, True), (theirs, member, Role.OWNER, False)]
    assert admin_client.post(url(project), change_data(project, team)).status_code == 302
    assert team_of(project) == {"member": Role.OWNER}
    assert rows(project, member) == ROLE_PERMISSIONS[Role.OWNER]


def test_restricting_in_the_admin_tells_the_sockets(
    admin_client, project, owner, member, announced, django_capture_on_commit_callbacks
):
    mine, theirs = memberships(project, owner, member)
    team = [(mine, owner, Role.OWNER, False), (theirs, member, Role.MEMBER, False)]
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            url(project), change_data(project, team, visibility="restricted", title="Renommé")
        )
    assert answer.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.visibility) == ("Renommé", "restricted")
    assert announced == [project.pk]


def test_projects_are_not_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/projects/project/add/").status_code == 403


@pytest.fixture
def comment(project, member):
    comment, _ = post_comment(by=member, project=project, body="Premier *jet*.")
    return comment


def test_moderating_a_comment_renders_and_records(admin_client, comment):
    answer = admin_client.post(
        f"/admin/discussion/comment/{comment.pk}/change/", {"body": "Texte **modéré**."}
    )
    assert answer.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Texte **modéré**."
    assert "<strong>modéré</strong>" in comment.body_html
    assert comment.edited_at is not None
    assert list(ProjectEvent.objects.values_list("type", flat=True)) == [
        "comment.created",
        "comment.updated",
    ]


def test_a_too_long_comment_is_refused_in_the_admin(admin_client, comment, settings):
    answer = admin_client.post(
        f"/admin/discussion/comment/{comment.pk}/change/",
        {"body": "x" * (settings.COMMENT_MAX_LENGTH + 1)},
    )
    assert answer.status_code == 200
    comment.refresh_from_db()
    assert comment.body == "Premier *jet*."
    assert ProjectEvent.objects.count() == 1


def test_deleting_a_comment_in_the_admin_leaves_a_tombstone(admin_client, comment):
    answer = admin_client.post(f"/admin/discussion/comment/{comment.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.is_deleted and comment.body == "" and comment.body_html == ""
    assert list(ProjectEvent.objects.values_list("type", flat=True)) == [
        "comment.created",
        "comment.deleted",
    ]


def test_the_bulk_delete_action_leaves_tombstones(admin_client, comment, project, owner):
    other, _ = post_comment(by=owner, project=project, body="Deuxième.")
    answer = admin_client.post(
        "/admin/discussion/comment/",
        {"action": "delete_selected", "_selected_action": [comment.pk, other.pk], "post": "yes"},
    )
    assert answer.status_code == 302
    assert Comment.objects.filter(deleted_at__isnull=False).count() == 2
    assert ProjectEvent.objects.filter(type="comment.deleted").count() == 2


def test_the_services_are_what_the_admin_calls(admin_client, project, owner, member, monkeypatch):
    called = []
    real = project_services.update_project
    monkeypatch.setattr(
        project_services, "update_project", lambda **kw: called.append(kw["by"]) or real(**kw)
    )
    mine, theirs = memberships(project, owner, member)
    team = [(mine, owner, Role.OWNER, False), (theirs, member, Role.MEMBER, False)]
    admin_client.post(url(project), change_data(project, team))
    assert [user.username for user in called] == ["boss"]
