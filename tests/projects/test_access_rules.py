"""One set of rules, evaluated four ways that must agree: ``can`` for one project,
``Abilities`` for a page, ``Project.objects.restrict`` as a queryset and ``readers_among``
for a list of people; the list, the page and the API show the same projects."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from guardian.shortcuts import assign_perm

from projects import access
from projects.models import Project
from projects.services import add_member


@pytest.fixture
def guest(make_user, restricted_project):
    """Someone who reads a restricted project through a group's object permission."""
    guest = make_user("guest")
    guests = Group.objects.create(name="invités du projet")
    guests.user_set.add(guest)
    assign_perm("projects.view_project", guests, restricted_project)
    assign_perm("projects.change_project", guests, restricted_project)
    return guest


@pytest.fixture
def everyone(people, guest, make_user, restricted_project, owner):
    direct = make_user("direct")
    direct.user_permissions.add(
        Permission.objects.get(codename="view_project", content_type__app_label="projects")
    )
    reviewing_member = make_user("reviewing_member", "reviewers")
    add_member(by=owner, project=restricted_project, user_id=reviewing_member.pk)
    return {
        **people,
        "guest": guest,
        "direct": direct,
        "reviewing_member": reviewing_member,
        "boss": make_user("boss", is_superuser=True),
        "gone": make_user("gone", "curators", is_active=False),
    }


@pytest.mark.parametrize("action", sorted(access.RULES))
def test_every_way_of_asking_gives_the_same_answer(everyone, projects, action):
    for name, person in everyone.items():
        user = person or AnonymousUser()
        restricted = set(Project.objects.restrict(user, action).values_list("pk", flat=True))
        page = access.Abilities(user, projects.values())
        for project in projects.values():
            one = access.can(user, action, project)
            fresh = Project.objects.get(pk=project.pk)
            assert (project.pk in restricted) == one, (name, action, project.visibility)
            assert page.allows(action, fresh) == one, (name, action, project.visibility)
            if person is not None:
                readers = access.readers_among([person], project, action)
                assert (person.pk in readers) == one, (name, action, project.visibility)


def test_the_table_of_design_md(everyone, projects):
    """Who reads and who edits the restricted project, named."""
    restricted = projects["restricted"]

    def who(action):
        return {
            name
            for name, person in everyone.items()
            if person is not None and access.can(person, action, restricted)
        }

    assert who("view") == {
        "member",
        "owner",
        "reviewer",
        "funder",
        "curator",
        "guest",
        "direct",
        "reviewing_member",
        "boss",
    }
    assert who("change") == {"member", "owner", "curator", "guest", "reviewing_member", "boss"}
    assert who("review") == {"reviewer", "curator", "boss"}


def test_a_group_permission_shows_the_project_on_its_page_and_in_the_lists(
    api, client, guest, restricted_project
):
    assert api.as_(guest).get(f"/api/projects/{restricted_project.pk}/").status_code == 200
    listed = api.get("/api/projects/").json()["results"]
    assert restricted_project.pk in [p["id"] for p in listed]
    client.force_login(guest)
    assert client.get(f"/projects/{restricted_project.pk}/").status_code == 200
    assert "Projet discret" in client.get("/projects/").content.decode()
