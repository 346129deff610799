"""The workflow endpoints walked through DESIGN.md's permission table for every role, on a
public and a restricted project (``tests/permission_table.py``): the status, and on refusal,
that nothing changed."""

import pytest

from projects.models import Project
from tests.permission_table import ROLES, TEAM, check
from workflows import configuration, gates, services
from workflows.models import (
    ChecklistChange,
    ChecklistItem,
    Criterion,
    Decision,
    Gate,
    GateReview,
    StageTransition,
)

from .conftest import attest_all, evidence_for, pass_gate

REVIEWERS = {"reviewer", "curator"}
VISIBILITIES = ["public", "restricted"]


def fingerprint(project):
    def read():
        return (
            Project.objects.filter(pk=project.pk).values("stage", "event_seq").first(),
            list(ChecklistItem.objects.filter(project=project).order_by("id").values()),
            list(GateReview.objects.filter(project=project).order_by("id").values()),
            Decision.objects.count(),
            StageTransition.objects.count(),
            ChecklistChange.objects.count(),
        )

    return read


def url(project, suffix):
    return f"/api/projects/{project.pk}/{suffix}"


def attempt(api, people, role, method, path, body, project, **table):
    read = fingerprint(project)
    before = read()
    response = getattr(api.as_(people[role]), method)(path, body, format="json")
    check(response, role, before=before, after=read, **table)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_attest_an_item(api, people, projects, role, visibility):
    project = projects[visibility]
    item = gates.checklist_for(project).first()
    body = {"status": "attested", **evidence_for(item)}
    path = url(project, f"checklist/{item.pk}/")
    table = {"allowed": TEAM | {"curator"}, "ok": 200, "visibility": visibility}
    attempt(api, people, role, "patch", path, body, project, **table)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_verify_an_item(api, people, projects, owner, role, visibility):
    project = projects[visibility]
    attest_all(project, owner)
    item = gates.checklist_for(project).first()
    path = url(project, f"checklist/{item.pk}/")
    table = {"allowed": REVIEWERS, "ok": 200, "visibility": visibility}
    attempt(api, people, role, "patch", path, {"status": "verified"}, project, **table)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_open_a_review(api, people, projects, owner, role, visibility):
    project = projects[visibility]
    attest_all(project, owner)
    table = {"allowed": TEAM | {"curator"}, "ok": 201, "visibility": visibility}
    attempt(api, people, role, "post", url(project, "reviews/"), {}, project, **table)


@pytest.fixture
def open_reviews(projects, owner):
    reviews = {}
    for visibility, project in projects.items():
        attest_all(project, owner)
        reviews[visibility] = services.open_review(by=owner, project=project)
    return reviews


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_withdraw_a_review(api, people, open_reviews, role, visibility):
    review = open_reviews[visibility]
    path = f"/api/reviews/{review.pk}/withdraw/"
    table = {"allowed": TEAM | {"curator"}, "ok": 200, "visibility": visibility}
    attempt(api, people, role, "post", path, {}, review.project, **table)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_decide_on_a_review(api, people, open_reviews, role, visibility):
    review = open_reviews[visibility]
    path = f"/api/reviews/{review.pk}/decisions/"
    body = {"verdict": "request_changes", "rationale": "Encore un effort."}
    table = {"allowed": REVIEWERS, "ok": 201, "visibility": visibility}
    attempt(api, people, role, "post", path, body, review.project, **table)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "allowed", "start"),
    [
        ("archive", {"owner", "curator"}, "idea"),
        ("send_back", REVIEWERS, "prototype"),
        ("reopen", {"curator"}, "archived"),
    ],
)
def test_fire_a_transition(
    api, people, projects, owner, reviewer, curator, role, visibility, name, allowed, start
):
    project = projects[visibility]
    if start == "prototype":
        pass_gate(project, owner, [reviewer])
    if start == "archived":
        services.archive(by=curator, project=project, rationale="En pause.")
    path = url(project, f"transitions/{name}/")
    table = {"allowed": allowed, "ok": 201, "visibility": visibility}
    attempt(api, people, role, "post", path, {"rationale": "Parce que."}, project, **table)


NEW_CRITERION = {
    "gate": "pilot",
    "code": "pilot-docs",
    "principle": "replicability",
    "title_fr": "Documentation publiée",
    "title_en": "Published documentation",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_criteria_writes_are_for_curators(api, people, role, method, db):
    spare = {**NEW_CRITERION, "code": "pilot-spare", "gate": Gate.objects.get(stage="pilot")}
    unanswered = configuration.create_criterion(by=people["curator"], **spare)
    path, body, ok = {
        "post": ("/api/criteria/", NEW_CRITERION, 201),
        "patch": (f"/api/criteria/{unanswered.pk}/", {"position": 7}, 200),
        "delete": (f"/api/criteria/{unanswered.pk}/", None, 204),
    }[method]

    def read():
        return list(Criterion.objects.order_by("id").values())

    before = read()
    response = getattr(api.as_(people[role]), method)(path, body, format="json")
    check(response, role, allowed={"curator"}, ok=ok, before=before, after=read)
