"""The stage moves only with its audit row, whatever the path."""

import pytest
from django.db import IntegrityError, NotSupportedError, connection, transaction
from django_fsm import TransitionNotAllowed

from projects.models import TRANSITIONS, Project, Stage
from tests.conftest import on_postgresql
from workflows.models import ChecklistItem, Decision, Gate, GateReview, ItemStatus, StageTransition


@pytest.fixture
def passable(project, owner, reviewer):
    """The gate of prototype met: checklist verified, a review open with its approval. The
    state machine lets ``advance`` through; only the audit row is left to the caller."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = GateReview.objects.create(
        project=project, gate=Gate.objects.get(stage=Stage.PROTOTYPE), opened_by=owner
    )
    Decision.objects.create(review=review, reviewer=reviewer, verdict="approve", rationale="Ok")
    return project


def test_stage_cannot_be_assigned(project):
    with pytest.raises(AttributeError):
        project.stage = Stage.COMMONS


def test_queryset_update_is_refused_by_the_database(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(stage=Stage.COMMONS)
    project.refresh_from_db()
    assert project.stage == Stage.IDEA


def test_the_state_machine_refuses_advance_while_the_gate_is_not_met(project):
    with pytest.raises(TransitionNotAllowed):
        project.advance()
    assert Project.objects.get(pk=project.pk).stage == Stage.IDEA


def test_transition_without_audit_row_is_refused(passable):
    project = passable
    project.advance()
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
    assert Project.objects.get(pk=project.pk).stage == Stage.IDEA


def test_a_project_starts_at_idea(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.bulk_create([Project(title="x", summary="y", stage=Stage.PILOT)])


def test_transition_with_audit_row_passes(passable):
    project = passable
    StageTransition.objects.create(
        project=project, name="advance", from_stage=Stage.IDEA, to_stage=Stage.PROTOTYPE
    )
    project.advance()
    project.save()
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE


@pytest.fixture
def audited(passable):
    """A project moved to prototype through the service path, so it has one audit row."""
    project = passable
    StageTransition.objects.create(
        project=project, name="advance", from_stage=Stage.IDEA, to_stage=Stage.PROTOTYPE
    )
    project.advance()
    project.save()
    return project


def rows(project):
    return list(StageTransition.objects.filter(project=project).values_list("to_stage", flat=True))


@pytest.mark.parametrize(
    "change",
    [
        {"to_stage": Stage.COMMONS},
        {"from_stage": Stage.PILOT},
        {"name": "reopen"},
        {"rationale": "réécrit"},
        {"checklist": []},
    ],
)
def test_audit_rows_are_never_rewritten(audited, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.filter(project=audited).update(**change)
    assert rows(audited) == [Stage.PROTOTYPE]


def test_audit_rows_are_never_deleted(audited):
    row = StageTransition.objects.get(project=audited)
    attempts = [
        lambda: StageTransition.objects.filter(pk=row.pk).delete(),
        row.delete,
        lambda: StageTransition.objects.all().delete(),
        lambda: Project.objects.filter(pk=audited.pk).delete(),  # the cascade
        lambda: raw(f"DELETE FROM {StageTransition._meta.db_table}"),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert rows(audited) == [Stage.PROTOTYPE]


def test_deleting_the_newest_row_cannot_open_a_way_back(audited):
    """The attack the delete trigger stops: remove the newest row, then set the stage that
    the row before it allows."""
    StageTransition.objects.create(
        project=audited, name="send_back", from_stage=Stage.PROTOTYPE, to_stage=Stage.IDEA
    )
    audited.send_back()
    audited.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.filter(project=audited, to_stage=Stage.IDEA).delete()
        Project.objects.filter(pk=audited.pk).update(stage=Stage.PROTOTYPE)
    assert Project.objects.get(pk=audited.pk).stage == Stage.IDEA


@on_postgresql
@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # committed rows: TRUNCATE refuses pending FK checks
def test_audit_rows_are_never_truncated(audited):
    table = StageTransition._meta.db_table
    # A plain TRUNCATE is refused before the trigger when another table (lessons) refers to
    # this one; with CASCADE the trigger refuses it.
    for sql, refusal in (
        (f"TRUNCATE {table}", (IntegrityError, NotSupportedError)),
        (f"TRUNCATE {table} CASCADE", IntegrityError),
    ):
        with pytest.raises(refusal), transaction.atomic():
            raw(sql)
    assert rows(audited) == [Stage.PROTOTYPE]


def raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_fsm_refuses_edges_that_do_not_exist(project):
    with pytest.raises(TransitionNotAllowed):
        project.reopen(to=Stage.PILOT)


# Two transactional tests in a row (pytest keeps the file's order): the first ends with a
# flush past the triggers (tests/conftest.py), the second finds the triggers back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_with_history_is_flushed(audited):
    assert rows(audited) == [Stage.PROTOTYPE]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_flush_deletes_are_still_refused(audited):
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.all().delete()
    assert rows(audited) == [Stage.PROTOTYPE]


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lifecycle_records_are_never_truncated(audited, owner):
    from projects.models import Hold, HoldBacking
    from workflows.models import Condition, Lesson

    for model in (Hold, HoldBacking, Condition, Lesson):
        with pytest.raises(IntegrityError), transaction.atomic():
            raw(f"TRUNCATE {model._meta.db_table} CASCADE")


def test_the_named_transitions_are_the_stage_machines():
    """``TRANSITIONS`` (the portfolio's columns, the data package's enum) names every
    transition of the machine."""
    field = Project._meta.get_field("stage")
    assert set(TRANSITIONS) == {t.name for t in field.get_all_transitions(Project)}
