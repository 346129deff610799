"""The state machine at the service level, edge by edge and gate by gate."""

import pytest

from projects.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from projects.models import ProjectEvent, Stage
from workflows import gates, services
from workflows.models import (
    ChecklistChange,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    StageTransition,
)

from .conftest import add_verified_reuse, attest_all, evidence_for, pass_gate, verify_all


def stage_of(project):
    project.refresh_from_db()
    return project.stage


def test_a_proposed_project_gets_the_prototype_checklist(project):
    items = list(gates.checklist_for(project))
    assert {i.criterion.gate.stage for i in items} == {"prototype"}
    assert len(items) == Gate.objects.get(stage="prototype").criteria.filter(active=True).count()
    assert all(i.status == ItemStatus.TODO for i in items)


def test_opening_needs_every_required_item_attested(project, owner):
    with pytest.raises(Conflict) as refused:
        services.open_review(by=owner, project=project)
    assert refused.value.code == "checklist_incomplete"
    required = [i.criterion.code for i in gates.checklist_for(project) if i.required]
    assert refused.value.extra["blockers"][0]["criteria"] == required
    assert not GateReview.objects.exists()


def test_one_open_review_at_a_time(project, owner):
    attest_all(project, owner)
    services.open_review(by=owner, project=project)
    with pytest.raises(Conflict) as refused:
        services.open_review(by=owner, project=project)
    assert refused.value.code == "review_already_open"


@pytest.mark.parametrize("gate", ["prototype", "pilot", "commons"])
def test_each_gate_advances_with_its_quorum(project, owner, reviewer, reviewer2, gate):
    path = ["idea", "prototype", "pilot", "commons"]
    while path[path.index(gate) - 1] != project.stage:
        pass_gate(project, owner, [reviewer, reviewer2])
    quorum = Gate.objects.get(stage=gate).quorum
    if gate == "commons":
        add_verified_reuse(project, reviewer)  # the computed reuse criterion
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    for voter in [reviewer, reviewer2][: quorum - 1]:
        services.decide(by=voter, review=review, verdict="approve", rationale="Oui.")
        assert stage_of(project) == path[path.index(gate) - 1]
    last = [reviewer, reviewer2][quorum - 1]
    services.decide(by=last, review=review, verdict="approve", rationale="Oui.")
    assert stage_of(project) == gate
    row = StageTransition.objects.filter(project=project).latest("id")
    assert (row.name, row.to_stage, row.review_id, row.actor) == ("advance", gate, review.pk, last)
    assert {entry["status"] for entry in row.checklist if entry["required"]} == {"verified"}
    review.refresh_from_db()
    assert review.status == GateReview.Status.APPROVED


def test_quorum_without_verification_does_not_advance_until_verified(project, owner, reviewer):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    assert stage_of(project) == Stage.IDEA
    blockers = gates.advance_blockers(project, gates.open_review(project))
    assert [b["code"] for b in blockers] == ["criteria_unverified"]
    verify_all(project, reviewer)
    assert stage_of(project) == Stage.PROTOTYPE


def test_not_applicable_counts_once_accepted(project, owner, reviewer):
    items = list(gates.checklist_for(project))
    claimed = items[0]
    services.claim_not_applicable(by=owner, item=claimed, justification="Sans objet ici.")
    for item in items[1:]:
        services.attest_item(by=owner, item=item, **evidence_for(item))
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    verify_all(project, reviewer)
    assert stage_of(project) == Stage.IDEA
    services.verify_item(by=reviewer, item=claimed)
    assert stage_of(project) == Stage.PROTOTYPE


def test_reject_closes_and_request_changes_returns_to_team(project, owner, reviewer):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="request_changes", rationale="Précisez.")
    review.refresh_from_db()
    assert review.status == GateReview.Status.CHANGES_REQUESTED
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="reject", rationale="Hors champ.")
    review.refresh_from_db()
    assert review.status == GateReview.Status.REJECTED
    assert stage_of(project) == Stage.IDEA


def test_refusals_write_nothing(project, owner, member, reviewer, stranger, funder):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    before = (Decision.objects.count(), ProjectEvent.objects.count())
    with pytest.raises(Forbidden) as conflict:
        services.decide(by=member, review=review, verdict="approve", rationale="Moi.")
    assert conflict.value.code == "conflict_of_interest"
    with pytest.raises(Forbidden):
        services.decide(by=funder, review=review, verdict="approve", rationale="Oui.")
    with pytest.raises(Invalid):
        services.decide(by=reviewer, review=review, verdict="approve", rationale="   ")
    with pytest.raises(Invalid):
        services.decide(by=reviewer, review=review, verdict="maybe", rationale="Hum.")
    services.decide(by=reviewer, review=review, verdict="request_changes", rationale="Non.")
    with pytest.raises(Conflict) as closed:
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    assert closed.value.code == "review_closed"
    # The one accepted vote, and the one event of the review it returned to the team.
    assert (Decision.objects.count(), ProjectEvent.objects.count()) == (
        before[0] + 1,
        before[1] + 1,
    )
    item = gates.checklist_for(project).first()
    before = (ChecklistChange.objects.count(), ProjectEvent.objects.count())
    with pytest.raises(Forbidden):
        services.attest_item(by=stranger, item=item, evidence_text="x")
    with pytest.raises(Forbidden):
        services.verify_item(by=owner, item=item)
    with pytest.raises(Invalid):
        services.attest_item(by=owner, item=item, evidence_url="javascript:alert(1)")
    with pytest.raises(Invalid):
        services.attest_item(by=owner, item=item, evidence_text="x" * 5001)
    assert (ChecklistChange.objects.count(), ProjectEvent.objects.count()) == before


def test_duplicate_decision_is_refused(project, owner, reviewer, reviewer2):
    pass_gate(project, owner, [reviewer])
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    with pytest.raises(Conflict) as twice:
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Encore.")
    assert twice.value.code == "already_decided"
    assert review.decisions.count() == 1


def test_send_back_archive_reopen(project, owner, reviewer, curator, member):
    pass_gate(project, owner, [reviewer])
    with pytest.raises(Invalid):
        services.send_back(by=reviewer, project=project, rationale="")
    with pytest.raises(Forbidden):
        services.send_back(by=member, project=project, rationale="Non.")
    services.send_back(by=reviewer, project=project, rationale="Le prototype ne tient pas.")
    assert stage_of(project) == Stage.IDEA
    with pytest.raises(Forbidden):
        services.archive(by=member, project=project, rationale="Stop.")
    services.archive(by=owner, project=project, rationale="Pause.")
    assert stage_of(project) == Stage.ARCHIVED
    with pytest.raises(Conflict):
        services.archive(by=owner, project=project, rationale="Encore.")
    with pytest.raises(Forbidden):
        services.reopen(by=owner, project=project, rationale="On reprend.")
    services.reopen(by=curator, project=project, rationale="On reprend.")
    assert stage_of(project) == Stage.IDEA
    names = list(project.transitions.values_list("name", flat=True))
    assert names == ["advance", "send_back", "archive", "reopen"]


def test_history_replays_to_the_current_stage(project, owner, reviewer, reviewer2, curator):
    pass_gate(project, owner, [reviewer, reviewer2])
    pass_gate(project, owner, [reviewer, reviewer2])
    services.archive(by=curator, project=project, rationale="Fin.")
    services.reopen(by=curator, project=project, rationale="Retour.")
    stage = Stage.IDEA
    for row in project.transitions.order_by("id"):
        assert row.from_stage == stage
        stage = row.to_stage
    assert stage == stage_of(project) == Stage.PILOT


def test_archiving_withdraws_the_open_review(project, owner):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.archive(by=owner, project=project, rationale="Pause.")
    review.refresh_from_db()
    assert review.status == GateReview.Status.WITHDRAWN


def test_checklist_changes_are_recorded(project, owner, reviewer):
    item = gates.checklist_for(project).first()
    services.attest_item(by=owner, item=item, **evidence_for(item))
    services.reject_item(by=reviewer, item=item, note="Trop vague.")
    changes = list(
        ChecklistChange.objects.filter(item=item).values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert changes == [("todo", "attested", "owner"), ("attested", "rejected", "reviewer")]


def test_events_are_recorded_in_order(project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    events = list(ProjectEvent.objects.filter(project=project).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    types = [e.type for e in events]
    assert types[-1] == "project.stage_changed"
    assert "review.opened" in types and "checklist.updated" in types
    assert events[-1].data["to"] == "prototype"


def test_hidden_project_answers_not_found(make_project, owner, stranger):
    restricted_project = services.propose_project(
        by=owner, title="Discret", summary="Restreint.", visibility="restricted"
    )
    with pytest.raises(NotFound):
        services.open_review(by=stranger, project=restricted_project)


def test_visitor_gets_not_authenticated(project):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        services.open_review(by=AnonymousUser(), project=project)


def test_reviewer_pool_limits_who_decides(project, owner, reviewer, reviewer2):
    gate = Gate.objects.get(stage="prototype")
    gate.reviewers.set([reviewer2])
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    with pytest.raises(Forbidden):
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")


def test_criterion_edits_do_not_rewrite_answered_checklists(project, owner):
    item = gates.checklist_for(project).filter(required=True).first()
    item.criterion.level = "recommended"
    item.criterion.save()
    item.refresh_from_db()
    assert item.required is True
