"""The transitions a person is offered come from the stage machine itself: its transition
methods, their permission and their conditions, as django-fsm answers them."""

import pytest
from django.utils import translation
from django_fsm import can_proceed, has_transition_perm

from projects import stages
from projects.models import Project, Stage
from workflows import gates, services
from workflows.models import ChecklistItem, Gate, ItemStatus


@pytest.fixture
def approved(project, owner, reviewer):
    """One approval away, then approved: the project has moved to prototype."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = services.open_review(by=owner, project=project)
    return project, review


def test_the_options_are_the_declared_transitions_in_order(project, owner):
    names = [o["name"] for o in gates.transitions_for(owner, project)]
    assert names == ["open_review", *(m.__name__ for m in stages.declared(Project))]
    assert names[1:5] == ["advance", "send_back", "archive", "reopen"]


@pytest.mark.parametrize("who", ["owner", "member", "reviewer", "curator", "stranger", "funder"])
def test_allowed_is_what_django_fsm_answers(request, approved, who):
    """For every person, a transition is allowed exactly when django-fsm's own
    ``has_transition_perm`` (source, conditions and permission) says so."""
    project, _review = approved
    user = request.getfixturevalue(who)
    project = Project.objects.get(pk=project.pk)
    for option in gates.transitions_for(user, project)[1:]:
        method = getattr(project, option["name"])
        assert option["allowed"] == has_transition_perm(method, user), (who, option)


def test_the_gate_condition_is_the_state_machines(approved, reviewer):
    project, review = approved
    project = Project.objects.get(pk=project.pk)
    assert not can_proceed(project.advance)
    advance = next(o for o in gates.transitions_for(reviewer, project) if o["name"] == "advance")
    assert [b["code"] for b in advance["blockers"]] == ["approvals_missing"]
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    project = Project.objects.get(pk=project.pk)
    assert project.stage == Stage.PROTOTYPE


def test_a_transition_without_permission_says_so_first(project, member):
    archive = next(o for o in gates.transitions_for(member, project) if o["name"] == "archive")
    assert [b["code"] for b in archive["blockers"]] == ["permission_denied"]
    assert services.may_fire(member, project, "archive") is False


def test_a_stage_the_transition_does_not_leave_names_it(project, curator):
    with translation.override("fr"):
        options = gates.transitions_for(curator, project)
    reopen = next(o for o in options if o["name"] == "reopen")
    assert reopen["blockers"] == [
        {"code": "wrong_stage", "detail": "Seul un projet archivé peut être rouvert."}
    ]
    assert reopen["rationale_required"] is True
