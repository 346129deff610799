"""The project endpoints, walked through DESIGN.md's permission table for every role, on a
public and a restricted project: the status, and on refusal, that nothing changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import access
from projects.models import Membership, Project, ProjectUserObjectPermission, Stage
from workflows.models import StageTransition

ROLES = ["visitor", "stranger", "member", "owner", "reviewer", "funder", "curator"]


@pytest.fixture
def people(owner, member, reviewer, funder, curator, stranger):
    return {
        "visitor": None,
        "stranger": stranger,
        "member": member,
        "owner": owner,
        "reviewer": reviewer,
        "funder": funder,
        "curator": curator,
    }


@pytest.fixture
def projects(project, restricted_project):
    return {"public": project, "restricted": restricted_project}


def snapshot(project: Project):
    """Everything a refused request must leave as it was."""
    row = Project.objects.filter(pk=project.pk).values().first()
    if row is None:
        return None
    return (
        row,
        sorted(project.themes.values_list("slug", flat=True)),
        sorted(project.territories.values_list("code", flat=True)),
        sorted(Membership.objects.filter(project=project).values_list("user_id", "role")),
        sorted(
            ProjectUserObjectPermission.objects.filter(content_object=project).values_list(
                "user_id", "permission__codename"
            )
        ),
    )


def url(project, suffix=""):
    return f"/api/projects/{project.pk}/{suffix}"


# The permission table of DESIGN.md, as statuses. A visitor or stranger asking about a
# restricted project gets 404: its existence must not leak.
READ = {
    "public": dict.fromkeys(ROLES, 200),
    "restricted": {"visitor": 404, "stranger": 404} | dict.fromkeys(ROLES[2:], 200),
}
EDIT = {
    "public": {
        "visitor": 401,
        "stranger": 403,
        "member": 200,
        "owner": 200,
        "reviewer": 403,
        "funder": 403,
        "curator": 200,
    },
}
EDIT["restricted"] = EDIT["public"] | {"visitor": 404, "stranger": 404}
DELETE = {
    "public": {
        "visitor": 401,
        "stranger": 403,
        "member": 403,
        "owner": 204,
        "reviewer": 403,
        "funder": 403,
        "curator": 204,
    },
}
DELETE["restricted"] = DELETE["public"] | {"visitor": 404, "stranger": 404}


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_read_a_project(api, people, projects, role, visibility):
    project = projects[visibility]
    response = api.as_(people[role]).get(url(project))
    assert response.status_code == READ[visibility][role]
    if response.status_code == 200:
        assert response.json()["title"] == project.title
    else:
        assert response.json() == {"detail": "Introuvable.", "code": "not_found"}


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_edit_a_project(api, people, projects, role, visibility):
    project = projects[visibility]
    before = snapshot(project)
    response = api.as_(people[role]).patch(
        url(project), {"title": "Nouveau titre", "territories": ["44"]}, format="json"
    )
    assert response.status_code == EDIT[visibility][role]
    if response.status_code == 200:
        assert response.json()["title"] == "Nouveau titre"
        assert [t["code"] for t in response.json()["territories"]] == ["44"]
        project.refresh_from_db()
        assert project.title == "Nouveau titre"
    else:
        assert set(response.json()) == {"detail", "code"}
        assert snapshot(project) == before


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_delete_a_project(api, people, projects, role, visibility):
    project = projects[visibility]
    before = snapshot(project)
    response = api.as_(people[role]).delete(url(project))
    assert response.status_code == DELETE[visibility][role]
    if response.status_code == 204:
        assert not Project.objects.filter(pk=project.pk).exists()
    else:
        assert snapshot(project) == before


@pytest.mark.parametrize("role", ROLES)
def test_propose_a_project(api, people, role, db):
    user = people[role]
    response = api.as_(user).post(
        "/api/projects/",
        {
            "title": "Tiers-lieu numérique",
            "summary": "Un lieu ouvert.",
            "themes": ["inclusion"] if role != "visitor" else [],
            "territories": ["R52", "44"],
        },
        format="json",
    )
    if user is None:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert not Project.objects.exists()
        return
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == Stage.IDEA
    assert body["next_stage"] == Stage.PROTOTYPE
    assert response["Location"].endswith(f"/api/projects/{body['id']}/")
    assert [m["user"]["id"] for m in body["team"]] == [user.pk]
    assert body["team"][0]["role"] == "owner"
    assert body["permissions"]["edit"] and body["permissions"]["manage_team"]
    assert body["permissions"]["review"] is False  # never on one's own project
    assert [t["code"] for t in body["territories"]] == ["44", "R52"]


def test_a_deleted_project_with_history_must_be_archived(api, owner, project):
    StageTransition.objects.create(
        project=project, name="archive", from_stage=Stage.IDEA, to_stage=Stage.ARCHIVED
    )
    project.archive()
    project.save()
    before = snapshot(project)
    response = api.as_(owner).delete(url(project))
    assert response.status_code == 409
    assert response.json()["code"] == "has_history"
    assert snapshot(project) == before


def test_put_is_not_offered(api, owner, project):
    before = snapshot(project)
    response = api.as_(owner).put(url(project), {"title": "x", "summary": "y"}, format="json")
    assert response.status_code == 405
    assert snapshot(project) == before


@pytest.mark.parametrize("visibility", ["public", "restricted"])
@pytest.mark.parametrize("role", ROLES)
def test_permissions_say_what_access_says(api, people, projects, role, visibility):
    project = projects[visibility]
    user = people[role]
    response = api.as_(user).get(url(project))
    if response.status_code == 404:
        return
    from django.contrib.auth.models import AnonymousUser

    user = user or AnonymousUser()
    expected = {
        "edit": access.can_edit(user, project),
        "manage_team": access.can_manage_team(user, project),
        "delete": access.can_delete(user, project),
        "archive": access.can_archive(user, project),
        "reopen": access.can_reopen(user, project),
        "review": access.can_review(user, project),
        "comment": access.can_comment(user, project),
    }
    assert response.json()["permissions"] == expected
    listed = api.get("/api/projects/").json()["results"]
    assert next(p for p in listed if p["id"] == project.pk)["permissions"] == expected
