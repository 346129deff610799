"""The stage moves only with its audit row, whatever the path."""

import pytest
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from projects.models import Project, Stage
from workflows.models import StageTransition


def test_stage_cannot_be_assigned(project):
    with pytest.raises(AttributeError):
        project.stage = Stage.COMMONS


def test_queryset_update_is_refused_by_the_database(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(stage=Stage.COMMONS)
    project.refresh_from_db()
    assert project.stage == Stage.IDEA


def test_transition_without_audit_row_is_refused(project):
    project.advance()
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
    assert Project.objects.get(pk=project.pk).stage == Stage.IDEA


def test_a_project_starts_at_idea(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.bulk_create([Project(title="x", summary="y", stage=Stage.PILOT)])


def test_transition_with_audit_row_passes(project):
    StageTransition.objects.create(
        project=project, name="advance", from_stage=Stage.IDEA, to_stage=Stage.PROTOTYPE
    )
    project.advance()
    project.save()
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE


def test_audit_rows_are_append_only(project):
    row = StageTransition.objects.create(
        project=project, name="archive", from_stage=Stage.IDEA, to_stage=Stage.ARCHIVED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.filter(pk=row.pk).update(to_stage=Stage.COMMONS)


def test_fsm_refuses_edges_that_do_not_exist(project):
    with pytest.raises(TransitionNotAllowed):
        project.reopen(to=Stage.PILOT)
