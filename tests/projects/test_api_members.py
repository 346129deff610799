"""Team endpoints: the "manage the team" row of DESIGN.md's table for every role, on a public
and a restricted project, and the bad input that must change nothing."""

import pytest

from projects.models import Membership, ProjectUserObjectPermission, Role

from .conftest import ROLES

# Manage the team: owners and curators. Hidden projects answer 404 to those who cannot read.
MANAGE = {
    "public": {
        "visitor": 401,
        "stranger": 403,
        "member": 403,
        "owner": "ok",
        "reviewer": 403,
        "funder": 403,
        "curator": "ok",
    },
}
MANAGE["restricted"] = MANAGE["public"] | {"visitor": 404, "stranger": 404}


@pytest.fixture
def newcomer(make_user):
    return make_user("newcomer", first_name="Nora", last_name="Nguyen")


def team(project):
    """The team and the guardian rows derived from it."""
    return (
        sorted(Membership.objects.filter(project=project).values_list("user__username", "role")),
        sorted(
            ProjectUserObjectPermission.objects.filter(content_object=project).values_list(
                "user__username", "permission__codename"
            )
        ),
    )


def members_url(project, user=None):
    return f"/api/projects/{project.pk}/members/" + (f"{user.pk}/" if user else "")


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_list_the_team(api, people, projects, role, visibility):
    project = projects[visibility]
    response = api.as_(people[role]).get(members_url(project))
    hidden = visibility == "restricted" and role in {"visitor", "stranger"}
    assert response.status_code == (404 if hidden else 200)
    if not hidden:
        assert [(m["user"]["username"], m["role"]) for m in response.json()] == [
            ("owner", "owner"),
            ("member", "member"),
        ]
        assert "email" not in response.json()[0]["user"]


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_add_someone(api, people, projects, newcomer, role, visibility):
    project = projects[visibility]
    before = team(project)
    response = api.as_(people[role]).post(
        members_url(project), {"user": newcomer.pk, "role": "member"}
    )
    expected = MANAGE[visibility][role]
    if expected == "ok":
        assert response.status_code == 201, response.json()
        assert response.json()["user"] == {
            "id": newcomer.pk,
            "username": "newcomer",
            "name": "Nora Nguyen",
        }
        assert ("newcomer", "view_project") in team(project)[1]
        # The newcomer now reads the project, restricted or not.
        assert api.as_(newcomer).get(f"/api/projects/{project.pk}/").status_code == 200
    else:
        assert response.status_code == expected
        assert team(project) == before


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_change_a_role(api, people, projects, role, visibility):
    project = projects[visibility]
    before = team(project)
    response = api.as_(people[role]).patch(
        members_url(project, people["member"]), {"role": "owner"}
    )
    expected = MANAGE[visibility][role]
    if expected == "ok":
        assert response.status_code == 200, response.json()
        assert response.json()["role"] == "owner"
        assert ("member", "manage_team") in team(project)[1]
    else:
        assert response.status_code == expected
        assert team(project) == before


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_remove_someone(api, people, projects, newcomer, role, visibility):
    project = projects[visibility]
    Membership.objects.create(project=project, user=newcomer, role=Role.MEMBER)
    before = team(project)
    response = api.as_(people[role]).delete(members_url(project, newcomer))
    expected = MANAGE[visibility][role]
    if expected == "ok":
        assert response.status_code == 204
        assert not Membership.objects.filter(project=project, user=newcomer).exists()
    else:
        assert response.status_code == expected
        assert team(project) == before


@pytest.mark.parametrize("visibility", ["public", "restricted"])
def test_a_member_may_leave(api, member, projects, visibility):
    project = projects[visibility]
    assert api.as_(member).delete(members_url(project, member)).status_code == 204
    assert team(project) == (
        [("owner", "owner")],
        sorted(
            ("owner", codename)
            for codename in [
                "archive_project",
                "change_project",
                "delete_project",
                "manage_team",
                "view_project",
            ]
        ),
    )
    after = api.as_(member).get(f"/api/projects/{project.pk}/")
    assert after.status_code == (200 if visibility == "public" else 404)


def test_the_last_owner_stays(api, owner, curator, project):
    before = team(project)
    for person in (owner, curator):
        leaving = api.as_(person).delete(members_url(project, owner))
        assert leaving.status_code == 400
        assert leaving.json()["code"] == "last_owner"
        assert "user" in leaving.json()["errors"]
        demoted = api.as_(person).patch(members_url(project, owner), {"role": "member"})
        assert demoted.status_code == 400
        assert demoted.json()["code"] == "last_owner"
    assert team(project) == before


def test_an_owner_may_hand_over_then_leave(api, owner, member, project):
    assert api.as_(owner).patch(members_url(project, member), {"role": "owner"}).status_code == 200
    assert api.as_(owner).delete(members_url(project, owner)).status_code == 204
    assert team(project)[0] == [("member", "owner")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "member"}, "user"),
        ({"user": None}, "user"),
        ({"user": True}, "user"),
        ({"user": 0}, "user"),
        ({"user": 10**30}, "user"),
        ({}, "user"),
        ({"user": 1, "role": "boss"}, "role"),
        ({"user": 1, "admin": True}, "admin"),
    ],
)
def test_bad_additions_change_nothing(api, owner, project, body, field):
    before = team(project)
    response = api.as_(owner).post(members_url(project), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert team(project) == before


def test_unknown_inactive_and_duplicate_people_are_refused(api, owner, member, make_user, project):
    sleeper = make_user("sleeper", is_active=False)
    before = team(project)
    for user_id in (member.pk, sleeper.pk, 999_999):
        response = api.as_(owner).post(members_url(project), {"user": user_id})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["user"]
    assert team(project) == before


@pytest.mark.parametrize("body", [{"role": "boss"}, {"role": 1}, {}, {"role": "owner", "x": 1}])
def test_bad_role_changes_change_nothing(api, owner, member, project, body):
    before = team(project)
    response = api.as_(owner).patch(members_url(project, member), body)
    assert response.status_code == 400
    assert team(project) == before


# "%C2%B2" is "²": a Unicode digit that str.isdigit() accepts and int() refuses.
@pytest.mark.parametrize(
    "user_id", ["999999", "abc", "99999999999999999999999", "%C2%B2", "%D9%A3", "0"]
)
def test_someone_outside_the_team_is_not_found(api, owner, project, user_id):
    before = team(project)
    path = f"/api/projects/{project.pk}/members/{user_id}/"
    assert api.as_(owner).delete(path).status_code == 404
    assert api.as_(owner).patch(path, {"role": "member"}).status_code == 404
    if user_id != "999999":  # a well-formed id asks a visitor to sign in (401)
        assert api.as_(None).delete(path).status_code == 404
        assert api.as_(None).patch(path, {"role": "member"}).status_code == 404
    assert team(project) == before


def test_a_stranger_cannot_leave_a_team_they_are_not_in(api, stranger, project):
    response = api.as_(stranger).delete(members_url(project, stranger))
    assert response.status_code == 404


def test_head_reads_the_team_and_writes_nothing(api, owner, project):
    before = team(project)
    assert api.as_(owner).head(members_url(project)).status_code == 200
    assert team(project) == before
