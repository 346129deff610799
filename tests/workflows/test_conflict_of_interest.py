"""Conflict of interest holds in time: a vote by someone who is now on the team does not
count, and the transitions list and the page say so."""

import pytest

from projects.models import Role, Stage
from projects.services import add_member, remove_member
from workflows import services
from workflows.models import Gate, GateReview

from .conftest import attest_all, verify_all


@pytest.fixture
def approved_then_joined(project, owner, reviewer, reviewer2):
    """The pilot-like quorum of two: Rita approves, then joins the team."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    add_member(by=owner, project=project, user_id=reviewer.pk, role=Role.MEMBER)
    verify_all(project, reviewer2)
    return review


def test_a_vote_by_a_new_team_member_stops_counting(approved_then_joined, reviewer2):
    review = approved_then_joined
    services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")
    review.refresh_from_db()
    review.project.refresh_from_db()
    assert review.status == GateReview.Status.OPEN
    assert review.project.stage == Stage.IDEA


def test_the_vote_counts_again_once_they_leave(approved_then_joined, owner, reviewer, reviewer2):
    review = approved_then_joined
    remove_member(by=owner, project=review.project, user_id=reviewer.pk)
    services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")
    review.project.refresh_from_db()
    assert review.project.stage == Stage.PROTOTYPE


def test_transitions_say_which_votes_do_not_count(api, approved_then_joined, owner):
    project = approved_then_joined.project
    options = api.as_(owner).get(f"/api/projects/{project.pk}/transitions/").json()
    advance = next(o for o in options if o["name"] == "advance")
    [missing] = [b for b in advance["blockers"] if b["code"] == "approvals_missing"]
    assert (missing["missing"], missing["discounted"]) == (2, ["reviewer"])
    assert "ne compte pas" in missing["detail"]


def test_the_page_marks_the_vote_that_does_not_count(client, approved_then_joined, owner):
    client.force_login(owner)
    page = client.get(f"/projects/{approved_then_joined.project.pk}/").content.decode()
    assert page.count("data-discounted") == 1
    assert "0 approbation sur 2." in page
