"""Mon espace and À relire: each role's work first, next steps said in words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from projects import services as project_services
from tests.workflows.conftest import attest_all
from workflows import progress
from workflows import services as workflow_services
from workflows.models import ChecklistItem, Gate

pytestmark = pytest.mark.django_db


def required(project):
    return list(
        ChecklistItem.objects.filter(
            project=project, required=True, criterion__gate__stage=project.next_stage
        ).select_related("criterion")
    )


def entry(page, project):
    return next(e for e in page.context["mine"] if e.project.pk == project.pk)


def test_next_step_in_words(browse, project, owner, reviewer, reviewer2):
    client = browse(owner)
    assert entry(client.get("/space/"), project).next_step == "5 critères à attester"
    items = required(project)
    workflow_services.attest_item(by=owner, item=items[0], evidence_text="Fait.")
    for item in items[1:4]:
        workflow_services.attest_item(by=owner, item=item, evidence_text="Fait.")
    assert entry(client.get("/space/"), project).next_step == "1 critère à attester"
    attest_all(project, owner)
    assert "demandez la revue" in entry(client.get("/space/"), project).next_step
    Gate.objects.filter(stage="prototype").update(quorum=2)
    review = workflow_services.open_review(by=owner, project=project)
    workflow_services.verify_item(by=reviewer, item=items[0])
    workflow_services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    page = client.get("/space/")
    assert entry(page, project).next_step == (
        "revue ouverte : 1 approbation sur 2, 4 critères à vérifier"
    )
    html = page.content.decode()
    assert "1 approbation sur 2" in html
    assert "1 critère requis vérifié sur 5" in html
    with translation.override("en"):
        assert progress.progress_for([project])[project.pk].next_step == (
            "review open: 1 approval of 2, 4 criteria to verify"
        )


def test_rejected_items_and_requested_changes_are_named(browse, project, owner, reviewer):
    attest_all(project, owner)
    item = required(project)[0]
    workflow_services.reject_item(by=reviewer, item=item, note="Trop vague.")
    assert entry(browse(owner).get("/space/"), project).next_step == (
        "1 critère refusé à reprendre"
    )
    workflow_services.attest_item(by=owner, item=item, evidence_text="Plus précis.")
    review = workflow_services.open_review(by=owner, project=project)
    workflow_services.decide(
        by=reviewer, review=review, verdict="request_changes", rationale="À revoir."
    )
    assert "modifications demandées" in entry(browse(owner).get("/space/"), project).next_step


def test_what_waits_for_each_role(
    browse, project, restricted_project, owner, reviewer, funder, curator
):
    attest_all(project, owner)
    review = workflow_services.open_review(by=owner, project=project)
    project_services.follow_project(by=funder, project=restricted_project)
    page = browse(reviewer).get("/space/")
    assert [r.pk for r in page.context["queue"].reviews] == [review.pk]
    assert "1 revue attend votre décision" in page.content.decode()
    assert page.context["summary"] is None
    funder_page = browse(funder).get("/space/")
    assert [e.project for e in funder_page.context["followed"]] == [restricted_project]
    assert funder_page.context["summary"]["total"] == 2
    assert "Le portefeuille en bref" in funder_page.content.decode()
    assert browse(curator).get("/space/").context["is_curator"]
    # A team member is never asked to review their own project.
    assert browse(owner).get("/space/").context["queue"].reviews == []


def test_space_needs_a_signed_in_person(browse):
    response = browse().get("/space/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_space_query_count_does_not_grow(browse, owner, reviewer, funder):
    def seed(count, start):
        for number in range(start, start + count):
            project = workflow_services.propose_project(
                by=owner, title=f"Projet {number}", summary="Résumé."
            )
            attest_all(project, owner)
            if number % 2:
                workflow_services.open_review(by=owner, project=project)
            project_services.follow_project(by=funder, project=project)

    seed(2, 0)
    counts = {}
    for person in (owner, reviewer, funder):
        with CaptureQueriesContext(connection) as few:
            browse(person).get("/space/")
        counts[person.pk] = len(few)
    seed(8, 2)
    for person in (owner, reviewer, funder):
        with CaptureQueriesContext(connection) as many:
            browse(person).get("/space/")
        assert len(many) == counts[person.pk], person


def test_inbox_shows_progress_and_its_query_count_is_flat(browse, owner, reviewer, reviewer2):
    def seed(count, start):
        for number in range(start, start + count):
            project = workflow_services.propose_project(
                by=owner, title=f"Projet {number}", summary="Résumé."
            )
            attest_all(project, owner)
            review = workflow_services.open_review(by=owner, project=project)
            workflow_services.verify_item(by=reviewer2, item=required(project)[0])
            workflow_services.decide(
                by=reviewer2, review=review, verdict="approve", rationale="Oui."
            )

    seed(1, 0)
    client = browse(reviewer)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/inbox/")
    html = page.content.decode()
    assert "1 approbation sur 1" in html
    assert "1 critère requis vérifié sur 5" in html
    seed(6, 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/inbox/")
    assert len(page.context["reviews"]) == 7
    assert len(many) == len(few)
    # Oldest first, one click from each to its place on the project page.
    reviews = page.context["reviews"]
    assert [r.opened_at for r in reviews] == sorted(r.opened_at for r in reviews)
    assert f'/projects/{reviews[0].project_id}/#review"' in page.content.decode()
    item = page.context["items"][0]
    assert f'/projects/{item.project_id}/#item-{item.pk}"' in page.content.decode()


def test_no_unread_notification_is_said_in_the_singular_in_french(browse, stranger):
    page = browse(stranger).get("/space/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "0 notification non lue" in page
