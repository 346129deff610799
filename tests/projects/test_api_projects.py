"""The project endpoints, walked through DESIGN.md's permission table for every role, on a
public and a restricted project: the status, and on refusal, that nothing changed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory, force_authenticate

from projects import access
from projects.models import Membership, Project, ProjectUserObjectPermission, Stage
from workflows import services as workflow_services
from workflows.api import ProjectViewSet
from workflows.models import StageTransition

from .conftest import ROLES


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


# Bad input: a 400 naming the fields, and nothing written.

VALID = {"title": "Tiers-lieu numérique", "summary": "Un lieu ouvert."}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (VALID | {"colour": "red", "stage": "commons"}, {"colour", "stage"}),
        (VALID | {"title": 12}, {"title"}),
        (VALID | {"summary": ["a"]}, {"summary"}),
        (VALID | {"visibility": "secret"}, {"visibility"}),
        (VALID | {"visibility": True}, {"visibility"}),
        (VALID | {"title": "x" * 201}, {"title"}),
        (VALID | {"summary": "x" * 501}, {"summary"}),
        (VALID | {"problem": "x" * 5001}, {"problem"}),
        (VALID | {"origin": "x" * 121}, {"origin"}),
        (VALID | {"repository_url": "not a url"}, {"repository_url"}),
        (VALID | {"territories": ["44", "999"]}, {"territories"}),
        (VALID | {"territories": "44"}, {"territories"}),
        (VALID | {"territories": [44]}, {"territories"}),
        (VALID | {"themes": ["no-such-theme"]}, {"themes"}),
        (VALID | {"themes": ["x" * 500]}, {"themes"}),
        (VALID | {"territories": [str(n) for n in range(200)]}, {"territories"}),
        ({"title": "", "summary": "   "}, {"title", "summary"}),
        ({}, {"title", "summary"}),
        ([VALID], {"non_field_errors"}),
    ],
)
def test_bad_proposals_are_refused_with_field_errors(api, owner, body, fields):
    response = api.as_(owner).post("/api/projects/", body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert set(error["errors"]) == fields
    assert all(isinstance(m, str) for messages in error["errors"].values() for m in messages)
    assert not Project.objects.exists()


def test_unknown_codes_are_named(api, owner):
    body = VALID | {"territories": ["44", "999", "ZZ"]}
    response = api.as_(owner).post("/api/projects/", body, format="json")
    assert "999, ZZ" in response.json()["errors"]["territories"][0]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "x", "summary": ',
        b'{"title": "\\ud800", "summary": "y"}',
        b'{"title": "a\\u0000b", "summary": "y"}',
        b'{"title": NaN, "summary": "y"}',
        b"[" * 100_000,
        b"\xff\xfe",
    ],
)
def test_unreadable_bodies_are_refused(api, owner, raw):
    response = api.as_(owner).generic(
        "POST", "/api/projects/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Project.objects.exists()


def test_only_json_is_read(api, owner):
    response = api.as_(owner).post("/api/projects/", VALID, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"stage": "commons"},
        {"id": 99},
        {"title": None},
        {"title": ""},
        {"themes": None},
        {"territories": ["2A", "nope"]},
        {"website_url": "javascript:alert(1)"},
    ],
)
def test_bad_edits_change_nothing(api, owner, project, body):
    before = snapshot(project)
    response = api.as_(owner).patch(url(project), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(body)
    assert snapshot(project) == before


def test_a_refusal_comes_before_the_body_is_read(api, stranger, project, restricted_project):
    body = {"title": 12, "colour": "red"}
    assert api.as_(stranger).patch(url(project), body, format="json").status_code == 403
    assert api.as_(stranger).patch(url(restricted_project), body, format="json").status_code == 404
    assert api.as_(None).patch(url(project), body, format="json").status_code == 401


@pytest.mark.parametrize(
    "pk", ["0", "999999", "abc", "99999999999999999999999", "-1", "%C2%B2", "%D9%A3"]
)
def test_guessing_ids_finds_nothing(api, curator, pk, db):
    response = api.as_(curator).get(f"/api/projects/{pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Lists: restricted projects never appear to those who may not read them.


@pytest.fixture
def catalogue(make_project, owner, member, stranger):
    """Three public projects and a restricted one, in different stages of description."""
    return {
        "kit": make_project(
            owner,
            title="Kit d'inclusion",
            themes=["inclusion"],
            territories=["44"],
            origin="NEC 2018 Nantes",
        ),
        "lieu": make_project(
            stranger,
            title="Tiers-lieu rural",
            summary="Un lieu ouvert à tous.",
            territories=["R52"],
            origin="NEC 2019 Marseille",
        ),
        "cartes": make_project(
            owner,
            title="Cartographie",
            summary="Les lieux de médiation.",
            problem="Personne ne sait où trouver de l'aide.",
            themes=["open-data"],
        ),
        "discret": make_project(
            owner,
            members=[member],
            title="Projet discret",
            visibility="restricted",
            themes=["inclusion"],
            territories=["44"],
            origin="NEC 2018 Nantes",
        ),
    }


def titles(response):
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return sorted(p["title"] for p in body["results"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?stage=idea",
        "?theme=inclusion",
        "?territory=44",
        "?origin=nantes",
        "?q=discret",
        "?q=projet",
        "?theme=inclusion&theme=open-data",
    ],
)
def test_restricted_projects_stay_hidden_in_lists(api, people, catalogue, role, query):
    listed = titles(api.as_(people[role]).get(f"/api/projects/{query}"))
    sees_restricted = role in {"member", "owner", "reviewer", "funder", "curator"}
    assert ("Projet discret" in listed) == (sees_restricted and query != "?theme=open-data")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?stage=idea", ["Cartographie", "Kit d'inclusion", "Tiers-lieu rural"]),
        ("?stage=pilot", []),
        ("?theme=inclusion", ["Kit d'inclusion"]),
        ("?theme=inclusion&theme=open-data", ["Cartographie", "Kit d'inclusion"]),
        ("?territory=R52", ["Tiers-lieu rural"]),
        ("?origin=2018", ["Kit d'inclusion"]),
        ("?q=aide", ["Cartographie"]),
        ("?q=lieu ouvert", ["Tiers-lieu rural"]),
        ("?q=LIEUX", ["Cartographie"]),
        ("?mine=true", ["Tiers-lieu rural"]),
        ("?mine=false", ["Cartographie", "Kit d'inclusion", "Tiers-lieu rural"]),
        # An empty value means "all", as a form left on "Tous" sends it.
        (
            "?stage=&theme=&territory=&origin=&q=&mine=",
            ["Cartographie", "Kit d'inclusion", "Tiers-lieu rural"],
        ),
        ("?theme=&theme=inclusion", ["Kit d'inclusion"]),
        ("?territory=&q=lieu", ["Cartographie", "Tiers-lieu rural"]),
        # Search ignores case and accents, both ways.
        ("?q=mediation", ["Cartographie"]),
        ("?q=MÉDIATION", ["Cartographie"]),
        ("?q=%C3%A0+AIDE", ["Cartographie"]),
        ("?q=tiers-lieu+a+TOUS", ["Tiers-lieu rural"]),
        ("?q=100%25", []),
        ("?q=_", []),
    ],
)
def test_filters(api, stranger, catalogue, query, expected):
    assert titles(api.as_(stranger).get(f"/api/projects/{query}")) == expected


def test_mine_lists_my_teams_restricted_projects_too(api, member, catalogue):
    assert titles(api.as_(member).get("/api/projects/?mine=true")) == ["Projet discret"]
    assert titles(api.as_(None).get("/api/projects/?mine=true")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?stage=launched", "stage"),
        ("?theme=no-such-theme", "theme"),
        ("?territory=999", "territory"),
        ("?territory=44&territory=%00", "territory"),
        ("?mine=maybe", "mine"),
        ("?origin=" + "x" * 121, "origin"),
        ("?q=" + "x" * 201, "q"),
        ("?q=a%00b", "q"),
    ],
)
def test_unknown_filter_values_are_a_400(api, stranger, catalogue, query, field):
    response = api.as_(stranger).get(f"/api/projects/{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]


def test_pagination(api, curator, make_project, owner):
    for n in range(3):
        make_project(owner, title=f"Projet {n}")
    first = api.as_(curator).get("/api/projects/?page_size=2").json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"].endswith("page=2&page_size=2")
    assert len(api.get(first["next"]).json()["results"]) == 1
    assert api.get("/api/projects/?page=9").status_code == 404


@pytest.mark.parametrize("role", ["visitor", "stranger", "member", "reviewer", "curator"])
def test_list_query_count_does_not_grow_with_projects(api, people, make_project, owner, role):
    person = people[role]

    def count_queries():
        # A fresh user object each time: Django caches global permissions on it.
        client = api.as_(person and type(person).objects.get(pk=person.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/projects/").status_code == 200
        return len(queries)

    def add_projects(n):
        for index in range(n):
            project = make_project(
                owner,
                members=[people["member"]],
                themes=["inclusion"],
                territories=["44", "R52"],
                visibility="restricted" if index % 2 else "public",
            )
            assert project.pk

    add_projects(2)
    few = count_queries()
    add_projects(6)
    assert count_queries() == few <= 9


def test_subclasses_choose_the_service_that_proposes(owner, db):
    """The viewset proposes through its ``propose`` service, which a subclass may wrap."""
    proposed = []

    def propose_and_record(*, by, **fields):
        project = workflow_services.propose_project(by=by, **fields)
        proposed.append(project.pk)
        return project

    class WorkflowProjects(ProjectViewSet):
        propose = staticmethod(propose_and_record)

    request = APIRequestFactory().post("/api/projects/", VALID, format="json")
    force_authenticate(request, owner)
    response = WorkflowProjects.as_view({"post": "create"})(request)
    assert response.status_code == 201
    assert proposed == [response.data["id"]]


def test_unknown_api_addresses_answer_in_json(client, db):
    response = client.get("/api/projects/1.5/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable.", "code": "not_found"}
    assert client.get("/api/nothing-here/").json()["code"] == "not_found"
    assert client.get("/nothing-here/")["Content-Type"].startswith("text/html")
