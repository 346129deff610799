"""Workflow endpoints: the allowed person, the one who may see but not act, the stranger."""

import pytest

from projects.models import ProjectEvent, Stage
from workflows import gates, services
from workflows.models import ChecklistChange, Criterion, Decision, Gate, GateReview, StageTransition

from .conftest import attest_all, evidence_for, pass_gate, verify_all


def url(project, tail=""):
    return f"/api/projects/{project.pk}/{tail}"


def footprint(project):
    """Everything a refused workflow request must leave untouched."""
    project.refresh_from_db()
    return (
        project.stage,
        ChecklistChange.objects.count(),
        GateReview.objects.count(),
        Decision.objects.count(),
        StageTransition.objects.count(),
        ProjectEvent.objects.count(),
    )


def test_checklist_is_public_for_a_public_project(api, project):
    answer = api.get(url(project, "checklist/"))
    assert answer.status_code == 200
    assert {row["criterion"]["gate"] for row in answer.json()} == {"prototype"}


@pytest.mark.parametrize("who", [None, "stranger"])
def test_restricted_checklist_is_hidden(api, restricted_project, who, request):
    user = request.getfixturevalue(who) if who else None
    for tail in ("checklist/", "transitions/", "reviews/", "history/"):
        assert api.as_(user).get(url(restricted_project, tail)).status_code == 404


@pytest.mark.parametrize("who", ["member", "reviewer", "funder", "curator"])
def test_restricted_checklist_is_readable_by_team_and_platform_roles(
    api, restricted_project, who, request
):
    assert (
        api.as_(request.getfixturevalue(who)).get(url(restricted_project, "checklist/")).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("stranger", 403), ("funder", 403), ("reviewer", 403), ("member", 200)],
)
def test_attest_permissions(api, project, who, status, request):
    user = request.getfixturevalue(who) if who else None
    item = gates.checklist_for(project).first()
    before = footprint(project)
    answer = api.as_(user).patch(
        url(project, f"checklist/{item.pk}/"),
        {"status": "attested", **evidence_for(item)},
        format="json",
    )
    assert answer.status_code == status, answer.json()
    if status != 200:
        assert footprint(project) == before
        assert set(answer.json()) >= {"detail", "code"}
    else:
        assert answer.json()["status"] == "attested"


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "attested", "evidence_url": "not a url"},
        {"status": "attested", "evidence_text": "x" * 5001},
        {"status": "attested"},
        {"status": "teleported"},
        {"status": "attested", "evidence_text": "ok", "stage": "commons"},
        {"status": "not_applicable", "justification": ""},
        [],
    ],
)
def test_bad_item_input_is_a_400_and_writes_nothing(api, project, member, payload):
    item = gates.checklist_for(project).filter(criterion__evidence="text").first()
    before = footprint(project)
    answer = api.as_(member).patch(url(project, f"checklist/{item.pk}/"), payload, format="json")
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid"
    assert footprint(project) == before


def test_item_of_another_project_is_not_found(api, project, owner, member):
    other = services.propose_project(by=owner, title="Autre", summary="Autre projet.")
    item = gates.checklist_for(other).first()
    answer = api.as_(member).patch(
        url(project, f"checklist/{item.pk}/"), {"status": "attested"}, format="json"
    )
    assert answer.status_code == 404


def test_item_detail_shows_its_changes(api, project, owner, reviewer):
    item = gates.checklist_for(project).first()
    services.attest_item(by=owner, item=item, **evidence_for(item))
    services.reject_item(by=reviewer, item=item, note="Trop vague.")
    body = api.get(url(project, f"checklist/{item.pk}/")).json()
    assert [(c["from_status"], c["to_status"]) for c in body["changes"]] == [
        ("todo", "attested"),
        ("attested", "rejected"),
    ]


def test_refused_opening_answers_the_same_blockers_as_transitions(api, project, owner):
    options = api.as_(owner).get(url(project, "transitions/")).json()
    opening = next(o for o in options if o["name"] == "open_review")
    assert not opening["allowed"]
    answer = api.as_(owner).post(url(project, "reviews/"), {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["blockers"] == opening["blockers"]
    assert answer.json()["blockers"][0]["criteria"]


def test_refused_advance_answers_the_same_blockers_as_transitions(api, project, owner):
    attest_all(project, owner)
    services.open_review(by=owner, project=project)
    options = api.as_(owner).get(url(project, "transitions/")).json()
    advance = next(o for o in options if o["name"] == "advance")
    codes = [b["code"] for b in advance["blockers"]]
    assert codes == ["approvals_missing", "criteria_unverified"]
    answer = api.as_(owner).post(url(project, "transitions/advance/"), {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["blockers"] == advance["blockers"]


def test_whole_gate_through_the_api(api, project, owner, reviewer):
    for item in gates.checklist_for(project):
        answer = api.as_(owner).patch(
            url(project, f"checklist/{item.pk}/"),
            {"status": "attested", **evidence_for(item)},
            format="json",
        )
        assert answer.status_code == 200
    review = api.as_(owner).post(url(project, "reviews/"), {}, format="json")
    assert review.status_code == 201
    for item in gates.checklist_for(project).filter(required=True):
        answer = api.as_(reviewer).patch(
            url(project, f"checklist/{item.pk}/"), {"status": "verified"}, format="json"
        )
        assert answer.status_code == 200
    decision = api.as_(reviewer).post(
        f"/api/reviews/{review.json()['id']}/decisions/",
        {"verdict": "approve", "rationale": "Prototype solide."},
        format="json",
    )
    assert decision.status_code == 201
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE
    history = api.get(url(project, "history/")).json()
    assert [row["to_stage"] for row in history["results"]] == ["prototype"]
    assert {row["criterion"]["gate"] for row in api.get(url(project, "checklist/")).json()} == {
        "pilot"
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("stranger", 403), ("funder", 403), ("member", 403), ("owner", 403)],
)
def test_decision_permissions(api, project, owner, who, status, request):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    user = request.getfixturevalue(who) if who else None
    before = footprint(project)
    answer = api.as_(user).post(
        f"/api/reviews/{review.pk}/decisions/",
        {"verdict": "approve", "rationale": "Oui."},
        format="json",
    )
    assert answer.status_code == status
    assert footprint(project) == before


def test_decision_on_hidden_review_is_not_found(api, restricted_project, owner, stranger):
    attest_all(restricted_project, owner)
    review = services.open_review(by=owner, project=restricted_project)
    answer = api.as_(stranger).post(
        f"/api/reviews/{review.pk}/decisions/", {"verdict": "approve", "rationale": "Oui."}
    )
    assert answer.status_code == 404
    assert api.as_(stranger).get(f"/api/reviews/{review.pk}/").status_code == 404


def test_decision_bad_input_and_closed_review(api, project, owner, reviewer, reviewer2):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    for payload in ({"verdict": "approve"}, {"verdict": "yes", "rationale": "x"}, {"x": 1}):
        answer = api.as_(reviewer).post(
            f"/api/reviews/{review.pk}/decisions/", payload, format="json"
        )
        assert answer.status_code == 400
    api.as_(reviewer).post(
        f"/api/reviews/{review.pk}/decisions/",
        {"verdict": "reject", "rationale": "Non."},
        format="json",
    )
    answer = api.as_(reviewer2).post(
        f"/api/reviews/{review.pk}/decisions/",
        {"verdict": "approve", "rationale": "Oui."},
        format="json",
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "review_closed"
    assert api.as_(reviewer).post("/api/reviews/999999/decisions/", {}).status_code == 404


def test_withdraw(api, project, owner, reviewer):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    assert api.as_(reviewer).post(f"/api/reviews/{review.pk}/withdraw/").status_code == 403
    answer = api.as_(owner).post(f"/api/reviews/{review.pk}/withdraw/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"
    assert api.as_(owner).post(f"/api/reviews/{review.pk}/withdraw/").status_code == 409


@pytest.mark.parametrize(
    ("name", "who", "status"),
    [
        ("archive", None, 401),
        ("archive", "stranger", 403),
        ("archive", "member", 403),
        ("archive", "reviewer", 403),
        ("archive", "funder", 403),
        ("archive", "owner", 201),
        ("archive", "curator", 201),
        ("send_back", "owner", 403),
        ("send_back", "reviewer", 201),
        ("reopen", "owner", 403),
        ("teleport", "curator", 404),
    ],
)
def test_manual_transitions(api, project, owner, reviewer, name, who, status, request):
    pass_gate(project, owner, [reviewer])
    user = request.getfixturevalue(who) if who else None
    before = footprint(project)
    answer = api.as_(user).post(
        url(project, f"transitions/{name}/"), {"rationale": "Parce que."}, format="json"
    )
    assert answer.status_code == status, answer.json()
    if status != 201:
        assert footprint(project) == before


def test_transition_from_wrong_stage_or_without_rationale(api, project, owner, curator):
    before = footprint(project)
    answer = api.as_(curator).post(url(project, "transitions/send_back/"), {"rationale": "x"})
    assert answer.status_code == 409
    assert answer.json()["blockers"][0]["code"] == "wrong_stage"
    answer = api.as_(curator).post(url(project, "transitions/reopen/"), {"rationale": "x"})
    assert answer.status_code == 409
    answer = api.as_(owner).post(url(project, "transitions/archive/"), {}, format="json")
    assert answer.status_code == 400
    assert "rationale" in answer.json()["errors"]
    assert footprint(project) == before


def test_reopen_returns_to_the_stage_left(api, project, owner, reviewer, curator):
    pass_gate(project, owner, [reviewer])
    services.archive(by=owner, project=project, rationale="Pause.")
    answer = api.as_(curator).post(url(project, "transitions/reopen/"), {"rationale": "Go."})
    assert answer.status_code == 201
    assert answer.json()["to_stage"] == "prototype"


def test_transitions_list_for_each_role(api, project, owner, reviewer, curator, funder):
    def allowed(user):
        rows = api.as_(user).get(url(project, "transitions/")).json()
        return {row["name"] for row in rows if row["allowed"]}

    pass_gate(project, owner, [reviewer])
    assert allowed(owner) == {"archive", "compost"}
    assert allowed(reviewer) == {"send_back", "hold"}
    assert allowed(curator) == {"send_back", "hold", "archive", "compost"}
    assert allowed(funder) == set()
    assert allowed(None) == set()


def test_history_query_count_is_flat(api, project, owner, reviewer, reviewer2, curator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pass_gate(project, owner, [reviewer])
    with CaptureQueriesContext(connection) as one:
        api.get(url(project, "history/"))
    for _ in range(3):
        services.archive(by=curator, project=project, rationale="Pause.")
        services.reopen(by=curator, project=project, rationale="Retour.")
    with CaptureQueriesContext(connection) as many:
        api.get(url(project, "history/"))
    assert len(many) == len(one)


def test_criteria_are_public_and_curators_edit_them(api, curator, reviewer):
    listing = api.get("/api/criteria/?gate__stage=pilot")
    assert listing.status_code == 200
    assert {row["gate"] for row in listing.json()["results"]} == {"pilot"}
    criterion = Criterion.objects.get(code="pilot-gdpr")
    assert (
        api.as_(reviewer)
        .patch(f"/api/criteria/{criterion.pk}/", {"level": "recommended"})
        .status_code
        == 403
    )
    answer = api.as_(curator).patch(
        f"/api/criteria/{criterion.pk}/", {"level": "recommended"}, format="json"
    )
    assert answer.status_code == 200
    assert (
        api.as_(curator)
        .patch(f"/api/criteria/{criterion.pk}/", {"levle": "required"}, format="json")
        .status_code
        == 400
    )


def test_answered_criterion_cannot_be_deleted(api, project, curator):
    criterion = gates.checklist_for(project).first().criterion
    answer = api.as_(curator).delete(f"/api/criteria/{criterion.pk}/")
    assert answer.status_code == 409
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_curators_set_quorums(api, curator, reviewer):
    gate = Gate.objects.get(stage="pilot")
    assert api.as_(reviewer).patch(f"/api/gates/{gate.pk}/", {"quorum": 1}).status_code == 403
    assert api.as_(curator).patch(f"/api/gates/{gate.pk}/", {"quorum": 0}).status_code == 400
    answer = api.as_(curator).patch(f"/api/gates/{gate.pk}/", {"quorum": 3}, format="json")
    assert answer.status_code == 200
    gate.refresh_from_db()
    assert gate.quorum == 3


def test_lowered_quorum_lets_the_team_advance_by_hand(api, project, owner, reviewer, curator):
    pass_gate(project, owner, [reviewer])
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    assert api.as_(owner).post(url(project, "transitions/advance/")).status_code == 409
    Gate.objects.filter(stage="pilot").update(quorum=1)
    assert api.as_(owner).post(url(project, "transitions/advance/")).status_code == 201
    project.refresh_from_db()
    assert project.stage == Stage.PILOT


def test_a_project_created_through_the_api_gets_its_first_checklist(api, stranger):
    answer = api.as_(stranger).post(
        "/api/projects/",
        {"title": "Bus numérique", "summary": "Un bus qui va vers les gens."},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    checklist = api.get(f"/api/projects/{answer.json()['id']}/checklist/").json()
    assert {row["criterion"]["gate"] for row in checklist} == {"prototype"}


def test_values_of_the_wrong_json_type_are_refused(api, project, owner, reviewer):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    before = footprint(project)
    answer = api.as_(reviewer).post(
        f"/api/reviews/{review.pk}/decisions/", {"verdict": "approve", "rationale": 12}
    )
    assert answer.status_code == 400
    assert "rationale" in answer.json()["errors"]
    assert footprint(project) == before


# Bodies that are wrong in every way: a person without the right must learn that first.
GARBAGE = {"status": 12, "verdict": ["x"], "rationale": {"a": 1}, "unknown": True}


def refusal_paths(project, review, item):
    return {
        "checklist": f"/api/projects/{project.pk}/checklist/{item.pk}/",
        "send_back": f"/api/projects/{project.pk}/transitions/send_back/",
        "archive": f"/api/projects/{project.pk}/transitions/archive/",
        "reopen": f"/api/projects/{project.pk}/transitions/reopen/",
        "advance": f"/api/projects/{project.pk}/transitions/advance/",
        "open_review": f"/api/projects/{project.pk}/reviews/",
        "decide": f"/api/reviews/{review.pk}/decisions/",
        "withdraw": f"/api/reviews/{review.pk}/withdraw/",
        "comment": f"/api/projects/{project.pk}/comments/",
    }


# Who may see but not act on each path (403), on a public project.
SEES_BUT_MAY_NOT = {
    "checklist": "funder",
    "send_back": "funder",
    "archive": "member",
    "reopen": "owner",
    "advance": "funder",
    "open_review": "reviewer",
    "decide": "member",
    "withdraw": "reviewer",
}


@pytest.mark.parametrize(
    "path", ["checklist", "send_back", "archive", "reopen", "advance", "open_review", "decide",
             "withdraw", "comment"],
)  # fmt: skip
def test_refusals_come_before_the_body_is_read(
    api, project, restricted_project, owner, request, path
):
    attest_all(project, owner)
    attest_all(restricted_project, owner)
    public = refusal_paths(
        project, services.open_review(by=owner, project=project), project.checklist.first()
    )
    secret = refusal_paths(
        restricted_project,
        services.open_review(by=owner, project=restricted_project),
        restricted_project.checklist.first(),
    )
    method = api.patch if path == "checklist" else api.post
    before = footprint(project), footprint(restricted_project)

    api.as_(None)
    assert method(public[path], GARBAGE, format="json").status_code == 401
    assert method(secret[path], GARBAGE, format="json").status_code == 404
    api.as_(request.getfixturevalue("stranger"))
    assert method(secret[path], GARBAGE, format="json").status_code == 404
    if path in SEES_BUT_MAY_NOT:
        api.as_(request.getfixturevalue(SEES_BUT_MAY_NOT[path]))
        assert method(public[path], GARBAGE, format="json").status_code == 403
    assert (footprint(project), footprint(restricted_project)) == before


def test_curators_create_a_criterion_through_the_api(api, curator, reviewer):
    body = {
        "gate": "pilot",
        "code": "pilot-partner",
        "principle": "general_interest",
        "title_fr": "Un partenaire territorial",
        "title_en": "A territorial partner",
    }
    assert api.as_(reviewer).post("/api/criteria/", body, format="json").status_code == 403
    answer = api.as_(curator).post("/api/criteria/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["level"] == "required"
    assert api.as_(curator).post("/api/criteria/", body, format="json").status_code == 400
    created = Criterion.objects.get(code="pilot-partner")
    assert api.as_(curator).delete(f"/api/criteria/{created.pk}/").status_code == 204


def test_a_pool_holds_reviewers_only(api, curator, reviewer, stranger):
    gate = Gate.objects.get(stage="pilot")
    answer = api.as_(curator).patch(
        f"/api/gates/{gate.pk}/", {"reviewers": [stranger.pk]}, format="json"
    )
    assert answer.status_code == 400
    assert "reviewers" in answer.json()["errors"]
    answer = api.as_(curator).patch(
        f"/api/gates/{gate.pk}/", {"reviewers": [reviewer.pk]}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json()["reviewers"] == [reviewer.pk]
