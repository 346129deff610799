"""Workflow writes racing each other on real threads, each with its own connection.

PostgreSQL serialises them with the project's row lock, SQLite with IMMEDIATE transactions:
on both, N reviewers deciding at once give exactly one transition, a decision racing a
checklist edit never advances on stale data, and nothing deadlocks or errors.
"""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from projects.errors import ServiceError
from projects.models import Hold, Stage
from tests.conftest import on_postgresql
from workflows import gates, lifecycle, services
from workflows.models import Condition, Decision, Gate, GateReview, ItemStatus, StageTransition

from .conftest import attest_all, evidence_for, verify_all

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JOIN_TIMEOUT = 120


def in_thread(work, *args):
    """Run ``work`` on its own connection; the result or the exception lands in ``out``."""
    out = {}

    def run():
        try:
            out["result"] = work(*args)
        except Exception as error:
            out["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def at_once(*calls):
    """Start every call at the same instant (a barrier), wait for all, return their outcomes:
    the return value or the exception raised."""
    barrier = threading.Barrier(len(calls))

    def gated(call):
        barrier.wait()
        return call()

    started = [in_thread(gated, call) for call in calls]
    for thread, _ in started:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread, _ in started), "a thread is stuck (deadlock?)"
    return [out.get("result", out.get("error")) for _, out in started]


def refused(outcome) -> bool:
    return isinstance(outcome, ServiceError)


def assert_only_domain_errors(outcomes):
    """Every outcome is a success or a clean refusal: no database error, no deadlock."""
    crashes = [o for o in outcomes if isinstance(o, Exception) and not refused(o)]
    assert not crashes, crashes


def ready_for_votes(project, owner, reviewer, *, quorum=1):
    """An open review on the prototype gate with every required item verified: the next
    approvals complete the conditions."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=quorum)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    return review


@pytest.fixture
def reviewers(make_user):
    return [make_user(f"reviewer{n}", "reviewers") for n in range(8)]


@pytest.mark.parametrize("quorum", [1, 3])
def test_reviewers_deciding_at_once_make_exactly_one_transition(project, owner, reviewers, quorum):
    review = ready_for_votes(project, owner, reviewers[0], quorum=quorum)
    outcomes = at_once(
        *(
            lambda person=person: services.decide(
                by=person, review=review, verdict="approve", rationale="D'accord."
            )
            for person in reviewers
        )
    )
    assert_only_domain_errors(outcomes)
    decided = [o for o in outcomes if isinstance(o, Decision)]
    assert len(decided) == quorum
    assert {o.code for o in outcomes if refused(o)} == {"review_closed"}
    rows = list(StageTransition.objects.filter(project=project))
    assert [(r.name, r.to_stage, r.review_id) for r in rows] == [
        ("advance", Stage.PROTOTYPE, review.pk)
    ]
    assert review.decisions.count() == quorum
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE


def test_approvals_racing_a_reject_never_advance_over_it(project, owner, reviewers):
    review = ready_for_votes(project, owner, reviewers[0], quorum=2)
    verdicts = ["reject", "approve", "approve", "approve"]
    outcomes = at_once(
        *(
            lambda person=person, verdict=verdict: services.decide(
                by=person, review=review, verdict=verdict, rationale="Mon avis."
            )
            for person, verdict in zip(reviewers, verdicts, strict=False)
        )
    )
    assert_only_domain_errors(outcomes)
    review.refresh_from_db()
    votes = list(review.decisions.values_list("verdict", flat=True))
    transitions = StageTransition.objects.filter(project=project).count()
    if review.status == GateReview.Status.APPROVED:
        assert votes == ["approve", "approve"] and transitions == 1
    else:
        assert review.status == GateReview.Status.REJECTED
        assert votes[-1] == "reject" and votes.count("approve") < 2 and transitions == 0


def test_verification_and_approval_completing_together_advance_exactly_once(
    project, owner, reviewers
):
    """Each write alone leaves one condition missing; whichever commits second must see the
    first one's write and advance. Without the lock both could see a blocker (no transition)
    or both see none (two transitions)."""
    for _ in range(3):
        Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
        attest_all(project, owner)
        review = services.open_review(by=owner, project=project)
        items = [i for i in gates.checklist_for(project) if i.required]
        for item in items[1:]:
            services.verify_item(by=reviewers[0], item=item)
        outcomes = at_once(
            lambda item=items[0]: services.verify_item(by=reviewers[1], item=item),
            lambda review=review: services.decide(
                by=reviewers[2], review=review, verdict="approve", rationale="Oui."
            ),
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        assert StageTransition.objects.filter(review=review).count() == 1
        project.refresh_from_db()
        services.send_back(by=reviewers[3], project=project, rationale="On recommence.")
        project.refresh_from_db()
        for item in items:
            services.attest_item(by=owner, item=item, **evidence_for(item))
    names = list(project.transitions.values_list("name", flat=True))
    assert names == ["advance", "send_back"] * 3


def test_approval_racing_a_new_attestation_never_advances_on_stale_evidence(
    project, owner, member, reviewers
):
    """The team replaces the evidence of a verified item while the last approval comes in:
    either the edit lands first (the item needs verifying again: no transition), or the
    transition lands first (the edit is refused: that checklist is closed). Never both."""
    for round_ in range(6):
        review = ready_for_votes(project, owner, reviewers[0])
        item = gates.checklist_for(project).filter(required=True).first()
        new_evidence = {
            "evidence_url": f"https://forge.example.org/v{round_}",
            "evidence_text": f"Version {round_}.",
        }
        decision, edit = at_once(
            lambda review=review: services.decide(
                by=reviewers[1], review=review, verdict="approve", rationale="Oui."
            ),
            lambda item=item, evidence=new_evidence: services.attest_item(
                by=member, item=item, **evidence
            ),
        )
        assert_only_domain_errors([decision, edit])
        assert isinstance(decision, Decision)
        item.refresh_from_db()
        project.refresh_from_db()
        advanced = StageTransition.objects.filter(review=review).first()
        if advanced is not None:
            assert refused(edit) and edit.code == "wrong_gate"
            assert item.status == ItemStatus.VERIFIED
            assert {e["status"] for e in advanced.checklist if e["required"]} == {"verified"}
            assert project.stage == Stage.PROTOTYPE
            services.send_back(by=reviewers[2], project=project, rationale="Encore.")
            project.refresh_from_db()
        else:
            assert edit.status == item.status == ItemStatus.ATTESTED
            assert item.evidence_url == new_evidence["evidence_url"]
            assert project.stage == Stage.IDEA
            assert [b["code"] for b in gates.advance_blockers(project, review)] == [
                "criteria_unverified"
            ]
            services.withdraw_review(by=owner, review=review)


def test_a_decision_waiting_for_the_lock_reads_the_edit_made_under_it(project, owner, reviewers):
    """Deterministic interleaving: the team holds the lock and re-attests a verified item;
    a reviewer approves meanwhile. The approval must wait, then see the item unverified."""
    review = ready_for_votes(project, owner, reviewers[0])
    item = gates.checklist_for(project).filter(required=True).first()
    locked, release = threading.Event(), threading.Event()

    def edit_and_hold():
        with transaction.atomic():
            services.attest_item(by=owner, item=item, **evidence_for(item))
            locked.set()
            release.wait(JOIN_TIMEOUT)

    editor, edit_out = in_thread(edit_and_hold)
    assert locked.wait(JOIN_TIMEOUT)
    voter, vote_out = in_thread(
        lambda: services.decide(by=reviewers[1], review=review, verdict="approve", rationale="Oui.")
    )
    wait_until_blocked(voter)
    release.set()
    for thread in (editor, voter):
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive()
    assert "error" not in edit_out and "error" not in vote_out, (edit_out, vote_out)
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert not StageTransition.objects.exists()
    review.refresh_from_db()
    assert review.status == GateReview.Status.OPEN


def wait_until_blocked(thread):
    """On PostgreSQL, wait until another session waits on a row lock (so the interleaving
    really happened); SQLite offers no such view: its IMMEDIATE transaction waits the same."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for _ in range(100_000):
            assert thread.is_alive(), "the decision did not wait for the lock"
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    pytest.fail("the decision never waited for the project's lock")


@on_postgresql
def test_the_decision_blocks_on_the_project_row_lock(project, owner, reviewers):
    """On PostgreSQL the lock is a real row lock: a plain SELECT ... FOR UPDATE held
    elsewhere makes ``decide`` wait, and it then acts on what was committed."""
    review = ready_for_votes(project, owner, reviewers[0])
    locked, release = threading.Event(), threading.Event()

    def withdraw_under_foreign_lock():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [project.pk]
                )
            locked.set()
            release.wait(JOIN_TIMEOUT)
            GateReview.objects.filter(pk=review.pk).update(status=GateReview.Status.WITHDRAWN)

    holder, _ = in_thread(withdraw_under_foreign_lock)
    assert locked.wait(JOIN_TIMEOUT)
    voter, vote_out = in_thread(
        lambda: services.decide(by=reviewers[1], review=review, verdict="approve", rationale="Oui.")
    )
    wait_until_blocked(voter)
    release.set()
    for thread in (holder, voter):
        thread.join(JOIN_TIMEOUT)
    assert refused(vote_out.get("error")) and vote_out["error"].code == "review_closed"
    assert not Decision.objects.exists() and not StageTransition.objects.exists()


def test_many_people_on_many_projects_finish_without_errors(owner, reviewers, curator):
    """A burst of every kind of workflow write over three projects: everything ends, only
    clean refusals, at most one transition per review, and each history replays."""
    projects = []
    for n in range(3):
        project = services.propose_project(by=owner, title=f"Projet {n}", summary="Résumé.")
        attest_all(project, owner)
        services.open_review(by=owner, project=project)
        projects.append(project)

    done, refused = [], []  # (action, code): list.append is atomic across threads

    def burst(person, project, seed):
        pick = random.Random(20261125 + seed)
        for _ in range(6):
            items = list(gates.checklist_for(project))
            action = pick.choice(["verify", "decide", "attest", "send_back"])
            try:
                if action in ("verify", "attest") and not items:
                    continue
                if action == "verify":
                    services.verify_item(by=person, item=pick.choice(items))
                elif action == "attest":
                    item = pick.choice(items)
                    services.attest_item(by=owner, item=item, **evidence_for(item))
                elif action == "decide":
                    if not (review := gates.open_review(project)):
                        continue
                    services.decide(by=person, review=review, verdict="approve", rationale="Ok.")
                elif action == "send_back":
                    services.send_back(by=person, project=project, rationale="Retour.")
                done.append(action)
            except ServiceError as error:
                refused.append((action, error.status, error.code))

    pairs = [(person, project) for person in [*reviewers[:5], curator] for project in projects]
    calls = [
        lambda person=person, project=project, seed=seed: burst(person, project, seed)
        for seed, (person, project) in enumerate(pairs)
    ]
    assert_only_domain_errors(at_once(*calls))
    # Everyone here has the right to act: a refusal may only say "not in this state" (409),
    # never "invalid" or "forbidden", and each kind of write went through at least once.
    assert {status for _action, status, _code in refused} <= {409}, refused
    assert {"verify", "decide", "attest"} <= set(done), (done, refused)
    for project in projects:
        project.refresh_from_db()
        stage = Stage.IDEA
        for row in project.transitions.order_by("id"):
            assert row.from_stage == stage
            stage = row.to_stage
        assert stage == project.stage
        advances = StageTransition.objects.filter(project=project, name="advance")
        assert advances.count() == advances.values("review").distinct().count()


def conditions_of(person_pk, n):
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    return [{"text": f"Condition {n}.", "owner": person_pk, "due_on": due}]


@pytest.mark.parametrize("quorum", [1, 2])
def test_reviewers_completing_a_quorum_with_conditions_make_one_advance_and_one_set(
    project, owner, member, reviewers, quorum
):
    review = ready_for_votes(project, owner, reviewers[0], quorum=quorum)
    outcomes = at_once(
        *(
            lambda person=person, n=n: services.decide(
                by=person,
                review=review,
                verdict="approve_with_conditions",
                rationale="Sous conditions.",
                conditions=conditions_of(member.pk, n),
            )
            for n, person in enumerate(reviewers[:4])
        )
    )
    assert_only_domain_errors(outcomes)
    decided = [o for o in outcomes if isinstance(o, Decision)]
    assert len(decided) == quorum
    assert StageTransition.objects.filter(project=project).count() == 1
    texts = sorted(Condition.objects.filter(project=project).values_list("text", flat=True))
    assert texts == sorted(d.conditions[0]["text"] for d in decided)


def test_a_hold_racing_the_completing_approval_never_advances_a_held_project(
    project, owner, reviewers, curator
):
    review = ready_for_votes(project, owner, reviewers[0], quorum=1)
    revisit = timezone.localdate() + timedelta(days=10)
    outcomes = at_once(
        lambda: lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=revisit),
        lambda: services.decide(
            by=reviewers[1], review=review, verdict="approve", rationale="Oui."
        ),
    )
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    hold = Hold.objects.get(project=project)
    moves = list(StageTransition.objects.filter(project=project).values_list("at", flat=True))
    # Either the advance came first (the hold then holds the new stage), or the hold did
    # (and the approval waits for the lift).
    assert (hold.stage, len(moves)) in [(Stage.PROTOTYPE, 1), (Stage.IDEA, 0)]
