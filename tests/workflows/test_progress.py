"""workflows.progress: the reviewer's queue follows ``gates.may_review``; figures per project."""

import pytest

from workflows import gates, progress, services
from workflows.models import ChecklistItem, Gate

from .conftest import attest_all, pass_gate

pytestmark = pytest.mark.django_db


def test_queue_follows_the_pool_and_the_team(project, owner, member, reviewer, reviewer2, curator):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    gate = Gate.objects.get(stage="prototype")
    gate.reviewers.set([reviewer])
    for person in (reviewer, reviewer2, curator, owner, member):
        queue = progress.review_queue(person)
        expected = gates.may_review(person, project, gate)
        assert (queue.reviews == [review]) is expected, person
        assert bool(queue.items) is expected, person
    # Once a reviewer has decided, the review leaves their queue; items stay until verified.
    services.decide(by=reviewer, review=review, verdict="request_changes", rationale="Non.")
    assert progress.review_queue(reviewer).reviews == []
    assert progress.review_queue(reviewer).items


def test_items_of_a_passed_gate_are_not_waiting(project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    stale = ChecklistItem.objects.filter(project=project, criterion__gate__stage="prototype")
    stale.filter(required=False).update(status="attested")
    assert all(i.criterion.gate.stage == "pilot" for i in progress.review_queue(reviewer).items)


def test_progress_for_counts_the_next_gate_only(project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    entry = progress.progress_for([project])[project.pk]
    assert entry.gate.stage == "pilot"
    assert (
        entry.required
        == ChecklistItem.objects.filter(
            project=project, criterion__gate__stage="pilot", required=True
        ).count()
    )
    assert (entry.attested, entry.verified, entry.approvals) == (0, 0, 0)
    assert entry.to_attest == entry.required
    assert [s["state"] for s in progress.steps(project)] == ["done", "current", "todo", "todo"]


def test_a_computed_criterion_is_not_the_teams_to_attest(project, owner, reviewer, reviewer2):
    """At the pilot, the commons gate's reuse criterion is computed: the figures count what
    the team answers, as the blockers of the review request do."""
    pass_gate(project, owner, [reviewer, reviewer2])
    pass_gate(project, owner, [reviewer, reviewer2])
    entry = progress.progress_for([project])[project.pk]
    assert entry.gate.stage == "commons"
    answered = ChecklistItem.objects.filter(
        project=project, criterion__gate__stage="commons", required=True, criterion__computed=""
    )
    assert entry.required == answered.count() > 0
    assert entry.to_attest == len(gates.opening_blockers(project)[0]["criteria"])
