"""Approve with conditions, hold, recycle and compost at the service level, with the clock."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Notification
from projects.errors import Conflict, Forbidden, Invalid, NotAuthenticated, ServiceError
from projects.models import Hold, HoldBacking, Project, ProjectEvent, Stage
from workflows import gates, lifecycle, reminders, services
from workflows.models import (
    ChecklistItem,
    Condition,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    Lesson,
    StageTransition,
)

from .conftest import LESSON, attest_all, evidence_for, pass_gate, verify_all

TODAY = timezone.localdate


def in_days(days: int) -> str:
    return (TODAY() + timedelta(days=days)).isoformat()


def footprint(project):
    """What a refusal must leave as it was."""
    return (
        Project.objects.values_list("stage", "event_seq").get(pk=project.pk),
        Decision.objects.count(),
        Condition.objects.count(),
        list(Condition.objects.values_list("status", flat=True)),
        Hold.objects.count(),
        list(Hold.objects.values_list("placed_at", "lifted_at")),
        HoldBacking.objects.count(),
        StageTransition.objects.count(),
        Lesson.objects.count(),
        list(ChecklistItem.objects.filter(project=project).values_list("status", flat=True)),
        Notification.objects.count(),
    )


def refused(call, project, error=ServiceError):
    before = footprint(project)
    with pytest.raises(error) as caught:
        call()
    assert footprint(project) == before
    return caught.value


@pytest.fixture
def review(project, owner, reviewer):
    """An open review on the prototype gate (quorum 1), every required item verified."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    attest_all(project, owner)
    opened = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    return opened


def criterion_of(review):
    return gates.checklist_for(review.project, review.gate).first().criterion


def conditions_for(owner, criterion=None, days=30):
    return [
        {
            "text": "Publier le guide d'installation.",
            "owner": owner.pk,
            "due_on": in_days(days),
            "criterion": criterion.code if criterion else None,
        }
    ]


# Approve with conditions


def test_an_approval_with_conditions_counts_and_the_advance_opens_them(
    project, owner, member, review, reviewer
):
    criterion = criterion_of(review)
    services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Oui, à condition.",
        conditions=[*conditions_for(member, criterion), *conditions_for(owner, days=60)],
    )
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE
    rows = list(project.conditions.order_by("due_on"))
    assert [(c.owner, c.criterion, c.status) for c in rows] == [
        (member, criterion, "open"),
        (owner, None, "open"),
    ]
    assert all(c.review == review for c in rows)
    types = list(ProjectEvent.objects.filter(project=project).values_list("type", flat=True))
    assert types[-2:] == ["condition.updated", "condition.updated"]


def test_conditions_wait_for_the_advance(project, owner, member, reviewer, reviewer2, review):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Sous conditions.",
        conditions=conditions_for(member),
    )
    assert not Condition.objects.exists()
    services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")
    assert Condition.objects.filter(project=project, owner=member).count() == 1


def test_a_withdrawn_review_leaves_no_conditions(project, owner, member, reviewer, reviewer2):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    attest_all(project, owner)
    opened = services.open_review(by=owner, project=project)
    services.decide(
        by=reviewer,
        review=opened,
        verdict="approve_with_conditions",
        rationale="Sous conditions.",
        conditions=conditions_for(member),
    )
    services.withdraw_review(by=owner, review=opened)
    assert not Condition.objects.exists()


@pytest.mark.parametrize(
    "change, fault",
    [
        ({"owner": None}, "responsable"),
        ({"due_on": None}, "date"),
        ({"due_on": "hier"}, "date"),
        ({"due_on": "2020-01-01"}, "futur"),
        ({"text": "  "}, "texte"),
        ({"criterion": "pilot-licence-inconnue"}, "critère"),
    ],
)
def test_a_bad_condition_is_refused_with_nothing_written(
    project, member, review, reviewer, change, fault
):
    condition = {**conditions_for(member)[0], **change}
    refusal = refused(
        lambda: services.decide(
            by=reviewer,
            review=review,
            verdict="approve_with_conditions",
            rationale="Oui.",
            conditions=[condition],
        ),
        project,
        Invalid,
    )
    assert fault in " ".join(refusal.extra["errors"]["conditions"])


def test_today_is_not_in_the_future(project, member, review, reviewer):
    condition = {**conditions_for(member)[0], "due_on": TODAY().isoformat()}
    refused(
        lambda: services.decide(
            by=reviewer,
            review=review,
            verdict="approve_with_conditions",
            rationale="Oui.",
            conditions=[condition],
        ),
        project,
        Invalid,
    )


def test_the_owner_of_a_condition_is_on_the_team(project, stranger, review, reviewer):
    refused(
        lambda: services.decide(
            by=reviewer,
            review=review,
            verdict="approve_with_conditions",
            rationale="Oui.",
            conditions=conditions_for(stranger),
        ),
        project,
        Invalid,
    )


def test_conditions_go_with_their_verdict(project, member, review, reviewer):
    for verdict, conditions in [
        ("approve_with_conditions", []),
        ("approve", conditions_for(member)),
        ("reject", conditions_for(member)),
    ]:
        refused(
            lambda verdict=verdict, conditions=conditions: services.decide(
                by=reviewer,
                review=review,
                verdict=verdict,
                rationale="Oui.",
                conditions=conditions,
            ),
            project,
            Invalid,
        )


@pytest.fixture
def conditioned(project, owner, member, review, reviewer):
    """The project advanced to prototype with one open condition on a criterion."""
    criterion = criterion_of(review)
    services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Sous condition.",
        conditions=conditions_for(member, criterion),
    )
    return Condition.objects.get(project=project)


def test_new_evidence_on_the_criterion_meets_the_condition(project, member, conditioned):
    item = ChecklistItem.objects.get(project=project, criterion=conditioned.criterion)
    services.attest_item(by=member, item=item, **evidence_for(item))
    conditioned.refresh_from_db()
    assert (conditioned.status, conditioned.closed_by) == ("met", member)
    item.refresh_from_db()
    assert item.status == ItemStatus.ATTESTED
    # Once met, the passed gate's item is closed to the team again.
    refused(
        lambda: services.attest_item(by=member, item=item, **evidence_for(item)),
        project,
        Conflict,
    )


def test_a_reviewer_says_met_a_curator_waives(project, reviewer, curator, member, conditioned):
    refused(lambda: lifecycle.meet_condition(by=member, condition=conditioned), project, Forbidden)
    lifecycle.meet_condition(by=reviewer, condition=conditioned, note="Vu le guide.")
    conditioned.refresh_from_db()
    assert (conditioned.status, conditioned.note) == ("met", "Vu le guide.")
    refusal = refused(
        lambda: lifecycle.waive_condition(by=curator, condition=conditioned, note="Non."),
        project,
        Conflict,
    )
    assert refusal.code == "condition_closed"


def test_only_a_curator_waives_and_with_a_note(project, reviewer, curator, conditioned):
    refused(
        lambda: lifecycle.waive_condition(by=reviewer, condition=conditioned, note="Bof."),
        project,
        Forbidden,
    )
    refused(
        lambda: lifecycle.waive_condition(by=curator, condition=conditioned, note=" "),
        project,
        Invalid,
    )
    lifecycle.waive_condition(by=curator, condition=conditioned, note="Plus utile.")
    assert Condition.objects.get().status == "waived"


def test_the_clock_reminds_before_the_due_date_then_misses(
    project, member, reviewer, reviewer2, curator, conditioned, settings
):
    settings.CONDITION_REMINDER_DAYS = 40
    assert reminders.remind_conditions.call(period="p") == 1
    assert reminders.remind_conditions.call(period="p") == 0  # once per window
    due = Notification.objects.filter(kind="condition_due")
    assert list(due.values_list("recipient__username", flat=True)) == ["member"]
    assert reminders.miss_conditions.call(period="p") == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert reminders.miss_conditions.call(period="p") == 1
        assert reminders.miss_conditions.call(period="p") == 0
    assert Condition.objects.get().status == "missed"
    told = set(
        Notification.objects.filter(kind="condition_missed").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"reviewer", "reviewer2", "curator"} <= told and "member" not in told


def test_conditions_are_written_once(conditioned, curator):
    attempts = [
        lambda: Condition.objects.filter(pk=conditioned.pk).update(text="Autre chose."),
        lambda: Condition.objects.filter(pk=conditioned.pk).update(due_on=TODAY()),
        lambda: Condition.objects.filter(pk=conditioned.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    lifecycle.waive_condition(by=curator, condition=conditioned, note="Levée.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(pk=conditioned.pk).update(status="open")
    assert Condition.objects.get().status == "waived"


# Hold


def test_a_curators_hold_stops_the_advance_until_lifted(project, owner, reviewer, curator, review):
    hold = lifecycle.hold(
        by=curator, project=project, reason="Financement en attente.", revisit_on=in_days(30)
    )
    assert hold.status == "in_force"
    options = {o["name"]: o for o in gates.transitions_for(owner, project)}
    assert "on_hold" in [b["code"] for b in options["advance"]["blockers"]]
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    refusal = refused(lambda: services.advance(by=owner, project=project), project, Conflict)
    assert refusal.code == "on_hold"
    lifecycle.lift_hold(by=curator, project=project, note="Financement obtenu.")
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE  # the lift fires the advance the review earned
    assert Hold.objects.get().lifted_by == curator


def test_the_fsm_itself_refuses_to_advance_a_held_project(project, curator):
    from django_fsm import TransitionNotAllowed

    lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(3))
    with pytest.raises(TransitionNotAllowed):
        project.advance()


def test_reviewers_hold_by_their_gates_quorum(project, reviewer, reviewer2, curator):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    proposed = lifecycle.hold(
        by=reviewer, project=project, reason="Équipe absente.", revisit_on=in_days(14)
    )
    assert proposed.status == "proposed"
    refusal = refused(lambda: lifecycle.hold(by=reviewer, project=project), project, Conflict)
    assert refusal.code == "already_backed"
    assert lifecycle.hold(by=reviewer2, project=project).status == "in_force"
    assert lifecycle.lift_hold(by=reviewer, project=project).status == "in_force"
    assert lifecycle.lift_hold(by=reviewer2, project=project).status == "lifted"


def test_a_proposal_is_withdrawn_by_its_proposer(project, reviewer, reviewer2):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    lifecycle.hold(by=reviewer, project=project, reason="Attendre.", revisit_on=in_days(5))
    refused(lambda: lifecycle.lift_hold(by=reviewer2, project=project), project, Conflict)
    assert lifecycle.lift_hold(by=reviewer, project=project).status == "lifted"


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"reason": "", "revisit_on": in_days(5)}, Invalid),
        ({"reason": "Pause.", "revisit_on": None}, Invalid),
        ({"reason": "Pause.", "revisit_on": "2020-02-02"}, Invalid),
        ({"reason": "x" * 2001, "revisit_on": in_days(5)}, Invalid),
    ],
)
def test_a_hold_needs_a_reason_and_a_revisit_date(project, curator, fields, error):
    refused(lambda: lifecycle.hold(by=curator, project=project, **fields), project, error)


def test_who_may_hold(project, owner, member, funder, stranger, curator):
    for person in (owner, member, funder, stranger):
        refused(
            lambda person=person: lifecycle.hold(
                by=person, project=project, reason="Pause.", revisit_on=in_days(5)
            ),
            project,
            (Forbidden, NotAuthenticated),
        )
    lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(5))
    refusal = refused(
        lambda: lifecycle.hold(by=curator, project=project, reason="Bis.", revisit_on=in_days(5)),
        project,
        Conflict,
    )
    assert refusal.code == "already_held"
    refused(lambda: lifecycle.lift_hold(by=owner, project=project), project, Forbidden)


def test_no_hold_on_an_archived_project_and_no_lift_without_hold(project, owner, curator):
    refusal = refused(lambda: lifecycle.lift_hold(by=curator, project=project), project, Conflict)
    assert refusal.code == "not_held"
    services.archive(by=owner, project=project, rationale="Fin.")
    refusal = refused(
        lambda: lifecycle.hold(by=curator, project=project, reason="P.", revisit_on=in_days(5)),
        project,
        Conflict,
    )
    assert refusal.code == "wrong_stage"


def test_a_stage_change_ends_the_hold(project, owner, reviewer, curator):
    pass_gate(project, owner, [reviewer])
    lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(5))
    services.send_back(by=reviewer, project=project, rationale="À reprendre.")
    hold = Hold.objects.get()
    assert hold.status == "lifted" and hold.stage == Stage.PROTOTYPE


def test_the_clock_reminds_at_the_revisit_date(project, owner, curator):
    hold = lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(5))
    assert reminders.remind_holds.call(period="p") == 0
    with time_machine.travel(timezone.now() + timedelta(days=5, hours=1)):
        assert timezone.localdate() >= hold.revisit_on
        assert reminders.remind_holds.call(period="p") == 1
        assert reminders.remind_holds.call(period="p") == 0
    assert Notification.objects.filter(kind="hold", recipient=owner).count() == 2


def test_holds_are_written_once(project, curator):
    hold = lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(5))
    for attempt in (
        lambda: Hold.objects.filter(pk=hold.pk).update(reason="Autre."),
        lambda: Hold.objects.filter(pk=hold.pk).update(placed_at=None),
        lambda: Hold.objects.filter(pk=hold.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    lifecycle.lift_hold(by=curator, project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(lifted_at=None)


def test_a_held_project_cannot_be_deleted(project, owner, curator):
    from workflows.services import delete_project

    lifecycle.hold(by=curator, project=project, reason="Pause.", revisit_on=in_days(5))
    refused(lambda: delete_project(by=owner, project=project), project, Conflict)


# Recycle


def test_send_back_names_the_criteria_to_rework(project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    passed = list(
        ChecklistItem.objects.filter(project=project, criterion__gate__stage=Stage.PROTOTYPE)
    )
    code = passed[0].criterion.code
    refusal = refused(
        lambda: services.send_back(
            by=reviewer, project=project, rationale="À revoir.", criteria=[code, "inconnu"]
        ),
        project,
        Invalid,
    )
    assert "inconnu" in refusal.extra["errors"]["criteria"][0]
    services.send_back(by=reviewer, project=project, rationale="À revoir.", criteria=[code])
    item = ChecklistItem.objects.get(pk=passed[0].pk)
    assert (item.status, item.review_note) == (ItemStatus.REJECTED, "À revoir.")
    assert all(
        ChecklistItem.objects.get(pk=other.pk).status == other.status for other in passed[1:]
    )
    project.refresh_from_db()
    assert gates.opening_blockers(project)[0]["criteria"] == [code]


# Compost


def test_compost_archives_with_a_public_lesson(project, owner, reviewer, stranger):
    pass_gate(project, owner, [reviewer])
    row = lifecycle.compost(by=owner, project=project, **LESSON)
    project.refresh_from_db()
    assert (project.stage, row.name, row.from_stage) == (Stage.ARCHIVED, "compost", "prototype")
    lesson = Lesson.objects.get()
    assert (lesson.transition, lesson.author, lesson.links) == (row, owner, LESSON["links"])
    assert list(lifecycle.lessons_for(stranger)) == [lesson]
    types = list(ProjectEvent.objects.filter(project=project).values_list("type", flat=True))
    assert types[-2:] == ["project.stage_changed", "lesson.published"]

    assert list(lifecycle.lessons_for(AnonymousUser())) == [lesson]


def test_a_composted_project_reopens_where_it_left(project, owner, reviewer, curator):
    pass_gate(project, owner, [reviewer])
    lifecycle.compost(by=owner, project=project, **LESSON)
    assert services.reopen(by=curator, project=project, rationale="Reprise.").to_stage == (
        Stage.PROTOTYPE
    )


@pytest.mark.parametrize(
    "change",
    [
        {"tried": ""},
        {"worked": "   "},
        {"failed": "x" * 5001},
        {"reusable": ""},
        {"links": ["javascript:alert(1)"]},
        {"links": [f"https://exemple.fr/{n}" for n in range(11)]},
    ],
)
def test_a_compost_needs_its_lesson(project, owner, change):
    refused(lambda: lifecycle.compost(by=owner, project=project, **{**LESSON, **change}), project)


def test_who_may_compost(project, owner, member, reviewer, curator):
    for person in (member, reviewer):
        refused(
            lambda person=person: lifecycle.compost(by=person, project=project, **LESSON),
            project,
            Forbidden,
        )
    lifecycle.compost(by=curator, project=project, **LESSON)
    refusal = refused(lambda: lifecycle.compost(by=owner, project=project, **LESSON), project)
    assert refusal.code == "wrong_stage"


def test_a_restricted_projects_lesson_stays_with_its_readers(
    restricted_project, owner, stranger, funder
):
    lifecycle.compost(by=owner, project=restricted_project, **LESSON)
    assert list(lifecycle.lessons_for(stranger)) == []
    assert list(lifecycle.lessons_for(AnonymousUser())) == []
    assert len(lifecycle.lessons_for(funder)) == 1


def test_lessons_are_written_once(project, owner):
    lifecycle.compost(by=owner, project=project, **LESSON)
    lesson = Lesson.objects.get()
    for attempt in (
        lambda: Lesson.objects.filter(pk=lesson.pk).update(tried="Réécrit."),
        lambda: Lesson.objects.filter(pk=lesson.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()


def test_review_status_after_compost_is_withdrawn(project, owner):
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    lifecycle.compost(by=owner, project=project, **LESSON)
    review.refresh_from_db()
    assert review.status == GateReview.Status.WITHDRAWN
