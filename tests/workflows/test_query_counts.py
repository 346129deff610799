"""What one decision costs in SQL statements, so that a gain cannot silently regress.

The people are read afresh from the database, as each request gets them, and the callbacks
run after commit (the unread counts) are counted too. Savepoints are not statements of the
decision: they come from the test's own transaction.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from projects.errors import Conflict
from projects.models import Hold, ProjectEvent, Role, Stage
from projects.services import add_member, follow_project
from webhooks.models import Delivery, Endpoint
from workflows import services
from workflows.models import ChecklistItem, Gate, GateReview, ItemStatus, StageTransition

User = get_user_model()

# The project's lock (1); the checklist with the review's status (1); the review with the
# reviewer's permission, team membership, the gate's pool, the live hold, whether a webhook
# endpoint may want the events and whether the gate after the next one has computed
# criteria (1); everyone concerned, team, followers and voters, with their votes and
# notification settings (1); the decision (1); the audit row, the review closed, the next
# checklist in one INSERT ... SELECT (3); the notifications of the team and the followers
# in one insert (1); both events (1); the stage with the event seqs (1); after commit one
# unread count for everyone told (1): 11 in the transaction, 12 in all. No hold, no
# endpoint and no computed criterion ahead here: each, when there is one, costs its own
# reads (tests below).
ADVANCING_DECISION = 12
# A review closed by the approval that moved the project: the lock alone (the project's
# row says it moved on). Closed without a move (rejected, say): the lock, and the checklist
# with the review's status. The review's read with its many columns is never built for the
# losers of a race.
REFUSED_AFTER_A_MOVE = 1
REFUSED_DECISION = 2


@pytest.fixture
def one_approval_away(project, owner, make_user):
    """Checklist verified, a review open, quorum 1; a team of four and two followers, to
    show that the count does not grow with the people told."""
    for n in range(2):
        teammate = make_user(f"teammate{n}")
        add_member(by=owner, project=project, user_id=teammate.pk, role=Role.MEMBER)
    for n in range(2):
        follow_project(by=make_user(f"follower{n}"), project=project)
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    return GateReview.objects.create(
        project=project, gate=Gate.objects.get(stage=Stage.PROTOTYPE), opened_by=owner
    )


def statements(queries):
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_an_advancing_decision_runs_a_fixed_number_of_statements(
    one_approval_away, reviewer, django_capture_on_commit_callbacks
):
    review = one_approval_away
    rita = User.objects.get(pk=reviewer.pk)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.decide(by=rita, review=review, verdict="approve", rationale="Conforme.")
    assert len(statements(queries)) == ADVANCING_DECISION
    review.project.refresh_from_db()
    assert review.project.stage == Stage.PROTOTYPE
    assert StageTransition.objects.filter(project=review.project).count() == 1
    assert list(ProjectEvent.objects.filter(project=review.project).values_list("seq", "type")) == [
        (1, "review.decided"),
        (2, "project.stage_changed"),
    ]
    assert Notification.objects.filter(kind=Notification.Kind.STAGE_CHANGED).count() == 6


def test_an_endpoint_that_wants_the_events_still_gets_them(one_approval_away, owner, reviewer):
    """The review's read says whether an endpoint may want the events; when one does, the
    deliveries are written in the decision's transaction as before."""
    review = one_approval_away
    Endpoint.objects.create(
        owner=owner,
        project=review.project,
        url="https://hooks.example.org/in",
        event_types=["review.decided", "project.stage_changed"],
        secret="s" * 40,
    )
    Endpoint.objects.create(
        owner=owner,
        url="https://hooks.example.org/all",
        event_types=["project.stage_changed"],
        secret="t" * 40,
    )
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    assert sorted(Delivery.objects.values_list("endpoint__url", "type")) == [
        ("https://hooks.example.org/all", "project.stage_changed"),
        ("https://hooks.example.org/in", "project.stage_changed"),
        ("https://hooks.example.org/in", "review.decided"),
    ]


def test_a_proposed_hold_read_with_the_review_ends_with_the_advance(
    one_approval_away, reviewer, reviewer2
):
    """A hold only proposed does not stop the advance; the stage change ends it, with its
    event after the stage's."""
    review = one_approval_away
    hold = Hold.objects.create(
        project=review.project,
        stage=review.project.stage,
        reason="Équipe absente.",
        revisit_on="2099-01-01",
        proposed_by=reviewer2,
    )
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == reviewer
    assert list(
        ProjectEvent.objects.filter(project=review.project).values_list("type", flat=True)
    ) == ["review.decided", "project.stage_changed", "hold.updated"]


@pytest.mark.parametrize(
    ("first", "count"),
    [("approve", REFUSED_AFTER_A_MOVE), ("reject", REFUSED_DECISION)],
)
def test_a_decision_on_a_closed_review_is_refused_in_few_statements(
    one_approval_away, reviewer, reviewer2, first, count
):
    review = one_approval_away
    services.decide(by=reviewer, review=review, verdict=first, rationale="Conforme.")
    romain = User.objects.get(pk=reviewer2.pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(Conflict) as refused:
        services.decide(by=romain, review=review, verdict="approve", rationale="Conforme.")
    assert refused.value.code == "review_closed"
    assert len(statements(queries)) == count
    assert not any('"in_pool"' in sql for sql in statements(queries))


def test_a_review_read_without_its_gate_is_refused_from_its_status(
    one_approval_away, reviewer, reviewer2
):
    """Without the gate at hand the project's row cannot tell; the review's status does."""
    review = one_approval_away
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    with pytest.raises(Conflict) as refused:
        services.decide(
            by=reviewer2,
            review=GateReview.objects.get(pk=review.pk),
            verdict="approve",
            rationale="Conforme.",
        )
    assert refused.value.code == "review_closed"


def test_a_closed_review_of_a_gate_without_criteria_is_refused_too(
    one_approval_away, reviewer, reviewer2
):
    """No checklist rows, so no early answer: the review's own read refuses it."""
    review = one_approval_away
    services.decide(by=reviewer, review=review, verdict="reject", rationale="Incomplet.")
    ChecklistItem.objects.filter(project=review.project, criterion__gate=review.gate).delete()
    with pytest.raises(Conflict) as refused:
        services.decide(by=reviewer2, review=review, verdict="approve", rationale="Conforme.")
    assert refused.value.code == "review_closed"
