"""The project page built around progress: stepper, the next gate in figures, criteria by
principle (open where the person has work), note boxes closed, the history as a timeline."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.workflows.conftest import attest_all, pass_gate, ready_for_decision
from workflows import services as workflow_services
from workflows.models import ChecklistItem, Gate

pytestmark = pytest.mark.django_db


def page(client, project) -> str:
    return client.get(f"/projects/{project.pk}/").content.decode()


def open_groups(html: str) -> set[str]:
    return set(re.findall(r'<details class="principle" id="principle-(\w+)" open>', html))


def all_groups(html: str) -> set[str]:
    return set(re.findall(r'<details class="principle" id="principle-(\w+)"', html))


def test_stepper_marks_done_current_and_to_come(browse, project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    steps = browse().get(f"/projects/{project.pk}/").context["steps"]
    assert [s["state"] for s in steps] == ["done", "current", "todo", "todo"]
    assert 'aria-current="step"' in page(browse(), project)


def test_next_gate_in_figures(browse, project, owner, reviewer, reviewer2):
    attest_all(project, owner)
    Gate.objects.filter(stage="prototype").update(quorum=2)
    review = workflow_services.open_review(by=owner, project=project)
    item = ChecklistItem.objects.filter(project=project, required=True).first()
    workflow_services.verify_item(by=reviewer, item=item)
    workflow_services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")
    html = page(browse(), project)
    assert "Vers l'étape Prototype : 5 attestés sur 5, 1 vérifié, 1 approbation sur 2." in html
    # The figures come with the review fragment that the live module refreshes.
    fragment = browse().get(f"/projects/{project.pk}/live/review/").content.decode()
    assert 'id="gate-summary"' in fragment


def test_a_computed_criterion_is_not_counted_as_the_teams(
    browse, project, owner, reviewer, reviewer2
):
    """At the pilot the commons gate's reuse criterion is measured: the page's figures count
    the criteria the team answers, as its blockers and the person's space do."""
    pass_gate(project, owner, [reviewer, reviewer2])
    pass_gate(project, owner, [reviewer, reviewer2])
    answered = ChecklistItem.objects.filter(
        project=project, criterion__gate__stage="commons", required=True, criterion__computed=""
    ).count()
    html = page(browse(owner), project)
    # French plurals: 0 takes the singular.
    assert f"Vers l'étape Commun : 0 attesté sur {answered}," in html
    assert f"0 critère requis validé sur {answered}." in html


def test_a_vote_with_conditions_is_said_in_words(browse, project, owner, member, reviewer):
    review = ready_for_decision(project, owner, reviewer)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    condition = {"text": "Publier le guide.", "owner": member.pk, "due_on": due}
    workflow_services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Sous condition.",
        conditions=[condition],
    )
    html = page(browse(), project)
    assert "a approuvé le passage sous conditions" in html
    assert "approve_with_conditions" not in html


def test_groups_open_where_the_person_has_work(browse, project, owner, reviewer, stranger):
    team = page(browse(owner), project)
    assert all_groups(team)
    # Every group with a required criterion still to answer is open for the team...
    assert open_groups(team)
    # ...and closed for a visitor, who has nothing to do.
    assert open_groups(page(browse(stranger), project)) == set()
    assert open_groups(page(browse(reviewer), project)) == set()
    item = ChecklistItem.objects.select_related("criterion").filter(project=project).first()
    workflow_services.attest_item(by=owner, item=item, evidence_text="Fait.")
    assert open_groups(page(browse(reviewer), project)) == {item.criterion.principle}


def test_reviewer_note_boxes_are_closed_until_opened(browse, project, owner, reviewer):
    attest_all(project, owner)
    html = page(browse(reviewer), project)
    assert (
        html.count('<details class="note-box">')
        == ChecklistItem.objects.filter(project=project).count()
    )
    item = ChecklistItem.objects.filter(project=project).first()
    # A refused verification comes back with its note box open and the note kept.
    response = browse(reviewer).post(
        f"/projects/{project.pk}/checklist/{item.pk}/verify/",
        {f"verify-{item.pk}-note": "x" * 2001},
    )
    assert response.status_code == 400
    assert '<details class="note-box" open>' in response.content.decode()


def test_history_is_a_timeline_of_requests_decisions_and_stages(browse, project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    entries = browse().get(f"/projects/{project.pk}/").context["timeline"]
    assert [e["kind"] for e in entries] == ["proposed", "review", "decision", "transition"]
    html = page(browse(), project)
    assert "Revue demandée par Olga pour l'étape Prototype" in html
    assert '<li class="is-advance">' in html
