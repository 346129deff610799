"""Conditions, holds, recycle, compost and lessons over the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Hold, Stage
from workflows import lifecycle, services
from workflows.models import Condition, Gate, Lesson, StageTransition

from .conftest import attest_all, pass_gate, verify_all

LESSON = {
    "tried": "Un atelier mobile.",
    "worked": "Les permanences.",
    "failed": "Le camion.",
    "reusable": "Le guide d'animation.",
    "links": ["https://forge.example.org/guide"],
}


def url(project, tail=""):
    return f"/api/projects/{project.pk}/{tail}"


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def review(project, owner, reviewer):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    attest_all(project, owner)
    opened = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    return opened


def test_a_vote_with_conditions_over_the_api(api, project, member, reviewer, review):
    body = {
        "verdict": "approve_with_conditions",
        "rationale": "Sous conditions.",
        "conditions": [{"text": "Un guide.", "owner": member.pk, "due_on": in_days(20)}],
    }
    answer = api.as_(reviewer).post(f"/api/reviews/{review.pk}/decisions/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["conditions"][0]["owner"] == member.pk
    listed = api.as_(member).get(url(project, "conditions/")).json()
    assert [(c["status"], c["owner"]["username"], c["gate"]) for c in listed] == [
        ("open", "member", "prototype")
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"text": "Un guide.", "due_on": "2031-01-01"},
        {"text": "Un guide.", "owner": 1, "due_on": "2020-01-01"},
        {"text": "Un guide.", "owner": 1, "due_on": "pas une date"},
        {"owner": 1, "due_on": "2031-01-01"},
    ],
)
def test_a_bad_condition_answers_400(api, project, member, reviewer, review, condition):
    condition = {**condition, **({"owner": member.pk} if "owner" in condition else {})}
    body = {"verdict": "approve_with_conditions", "rationale": "Oui.", "conditions": [condition]}
    answer = api.as_(reviewer).post(f"/api/reviews/{review.pk}/decisions/", body, format="json")
    assert answer.status_code == 400
    assert not review.decisions.exists() and not Condition.objects.exists()


def test_met_and_waive_over_the_api(api, project, member, reviewer, curator, review):
    services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Oui.",
        conditions=[{"text": "A.", "owner": member.pk, "due_on": in_days(9)}] * 2,
    )
    first, second = Condition.objects.order_by("id")
    met = url(project, f"conditions/{first.pk}/met/")
    assert api.as_(member).post(met, {}).status_code == 403
    assert api.as_(None).post(met, {}).status_code == 401
    assert api.as_(reviewer).post(met, {"note": "Vu."}).json()["status"] == "met"
    assert api.as_(reviewer).post(met, {}).status_code == 409
    waive = url(project, f"conditions/{second.pk}/waive/")
    assert api.as_(reviewer).post(waive, {"note": "Non."}).status_code == 403
    assert api.as_(curator).post(waive, {"note": ""}).status_code == 400
    assert api.as_(curator).post(waive, {"note": "Inutile."}).json()["status"] == "waived"
    assert api.as_(curator).post(url(project, "conditions/999999/met/"), {}).status_code == 404


def test_a_restricted_projects_conditions_are_hidden(api, restricted_project, stranger):
    assert api.as_(stranger).get(url(restricted_project, "conditions/")).status_code == 404
    assert api.as_(stranger).get(url(restricted_project, "holds/")).status_code == 404


def test_hold_and_lift_over_the_api(api, project, owner, reviewer, curator, review):
    holds = url(project, "holds/")
    body = {"reason": "Financement en attente.", "revisit_on": in_days(30)}
    assert api.as_(owner).post(holds, body).status_code == 403
    assert api.as_(None).post(holds, body).status_code == 401
    assert api.as_(curator).post(holds, {"reason": "Sans date."}).status_code == 400
    assert api.as_(curator).post(holds, {**body, "revisit_on": "2020-01-01"}).status_code == 400
    assert api.as_(curator).post(holds, {**body, "surprise": 1}).status_code == 400
    assert not Hold.objects.exists()
    answer = api.as_(curator).post(holds, body)
    assert answer.status_code == 201 and answer.json()["status"] == "in_force"
    assert api.as_(curator).post(holds, body).json()["code"] == "already_held"
    options = {o["name"]: o for o in api.as_(owner).get(url(project, "transitions/")).json()}
    assert "on_hold" in [b["code"] for b in options["advance"]["blockers"]]
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    fired = api.as_(owner).post(url(project, "transitions/advance/"), {})
    assert fired.status_code == 409 and fired.json()["code"] == "on_hold"
    lifted = api.as_(curator).post(url(project, "holds/lift/"), {"note": "C'est reparti."})
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE
    assert [h["status"] for h in api.as_(None).get(holds).json()] == ["lifted"]


def test_send_back_with_criteria_over_the_api(api, project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    code = project.checklist.filter(criterion__gate__stage="prototype").first().criterion.code
    fire = url(project, "transitions/send_back/")
    bad = api.as_(reviewer).post(
        fire, {"rationale": "À revoir.", "criteria": ["nope"]}, format="json"
    )
    assert bad.status_code == 400 and StageTransition.objects.count() == 1
    answer = api.as_(reviewer).post(
        fire, {"rationale": "À revoir.", "criteria": [code]}, format="json"
    )
    assert answer.status_code == 201
    assert project.checklist.get(criterion__code=code).status == "rejected"


def test_compost_over_the_api_and_the_lessons_list(api, project, restricted_project, owner):
    fire = url(project, "transitions/compost/")
    assert api.as_(owner).post(fire, {**LESSON, "tried": ""}, format="json").status_code == 400
    assert api.as_(owner).post(fire, {"rationale": "Fin."}, format="json").status_code == 400
    assert (
        api.as_(owner)
        .post(url(project, "transitions/archive/"), {"rationale": "x", **LESSON}, format="json")
        .status_code
        == 400
    )
    assert not Lesson.objects.exists()
    answer = api.as_(owner).post(fire, LESSON, format="json")
    assert answer.status_code == 201 and answer.json()["name"] == "compost"
    assert api.as_(owner).post(fire, LESSON, format="json").status_code == 409
    lifecycle.compost(by=owner, project=restricted_project, **LESSON)
    public = api.as_(None).get("/api/lessons/").json()
    assert [row["project"] for row in public["results"]] == [project.pk]
    assert public["results"][0]["links"] == LESSON["links"]
    mine = api.as_(owner).get("/api/lessons/").json()
    assert {row["project"] for row in mine["results"]} == {project.pk, restricted_project.pk}
