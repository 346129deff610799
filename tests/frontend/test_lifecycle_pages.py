"""Approve with conditions, hold, recycle and compost through the project page's forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Hold, Stage
from tests.workflows.conftest import attest_all, pass_gate, verify_all
from workflows import lifecycle
from workflows import services as workflow_services
from workflows.models import Condition, Decision, Gate, Lesson

pytestmark = pytest.mark.django_db


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def review(project, owner, reviewer):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    attest_all(project, owner)
    opened = workflow_services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    return opened


def test_a_reviewer_approves_with_a_condition(browse, project, member, reviewer, review):
    page = browse(reviewer).get(f"/projects/{project.pk}/").content.decode()
    assert 'name="decide-condition_owner"' in page and "Approuver sous conditions" in page
    data = {
        "decide-verdict": "approve_with_conditions",
        "decide-rationale": "Oui, si le guide suit.",
        "decide-condition_text": "Publier le guide.",
        "decide-condition_owner": member.pk,
        "decide-condition_due_on": in_days(30),
    }
    past = browse(reviewer).post(
        f"/reviews/{review.pk}/decide/", {**data, "decide-condition_due_on": in_days(-1)}
    )
    assert past.status_code == 400 and "futur" in past.content.decode()
    assert not Decision.objects.exists()
    assert browse(reviewer).post(f"/reviews/{review.pk}/decide/", data).status_code == 302
    condition = Condition.objects.get()
    assert (condition.owner, condition.status) == (member, "open")
    page = browse(member).get(f"/projects/{project.pk}/").content.decode()
    assert f'id="condition-{condition.pk}"' in page and "Publier le guide." in page
    met = f"/projects/{project.pk}/conditions/{condition.pk}/met/"
    assert browse(member).post(met, {}).status_code == 403
    assert browse(reviewer).post(met, {f"met-{condition.pk}-note": "Vu."}).status_code == 302
    assert Condition.objects.get().status == "met"


def test_a_curator_holds_then_lifts(browse, project, owner, curator):
    url = f"/projects/{project.pk}/transitions/hold/"
    page = browse(curator).get(f"/projects/{project.pk}/").content.decode()
    assert 'name="transition-hold-revisit_on"' in page
    refused = browse(curator).post(url, {"transition-hold-reason": "Attendre."})
    assert refused.status_code == 400 and not Hold.objects.exists()
    assert browse(owner).post(url, {"transition-hold-reason": "x"}).status_code == 403
    done = browse(curator).post(
        url, {"transition-hold-reason": "Attendre.", "transition-hold-revisit_on": in_days(9)}
    )
    assert done.status_code == 302 and Hold.objects.get().status == "in_force"
    page = browse(owner).get(f"/projects/{project.pk}/").content.decode()
    assert 'id="hold"' in page and "Attendre." in page
    lift = f"/projects/{project.pk}/transitions/lift_hold/"
    assert browse(curator).post(lift, {"transition-lift_hold-note": "Reprise."}).status_code == 302
    assert Hold.objects.get().status == "lifted"


def test_a_visitor_reads_a_held_public_project(browse, project, curator):
    lifecycle.hold(by=curator, project=project, reason="Attendre le budget.", revisit_on=in_days(9))
    visitor = browse(None)
    for url in ("", "live/workflow/", "live/parts/?items=&review=1"):
        answer = visitor.get(f"/projects/{project.pk}/{url}")
        assert answer.status_code == 200, url
    assert "Attendre le budget." in visitor.get(f"/projects/{project.pk}/").content.decode()
    answer = visitor.get(f"/api/projects/{project.pk}/transitions/")
    assert answer.status_code == 200
    assert {o["name"] for o in answer.json()} >= {"lift_hold"}


def test_send_back_names_criteria_in_the_page(browse, project, owner, reviewer):
    pass_gate(project, owner, [reviewer])
    item = project.checklist.filter(criterion__gate__stage="prototype").first()
    page = browse(reviewer).get(f"/projects/{project.pk}/").content.decode()
    assert f'value="{item.criterion.code}"' in page
    browse(reviewer).post(
        f"/projects/{project.pk}/transitions/send_back/",
        {
            "transition-send_back-rationale": "À reprendre.",
            "transition-send_back-criteria": [item.criterion.code],
        },
    )
    item.refresh_from_db()
    assert item.status == "rejected"


def test_the_owner_composts_and_the_lesson_is_in_the_index(
    browse, project, restricted_project, owner, stranger
):
    url = f"/projects/{project.pk}/transitions/compost/"
    fields = {
        "transition-compost-tried": "Un atelier mobile.",
        "transition-compost-worked": "Les permanences.",
        "transition-compost-failed": "Le camion.",
        "transition-compost-reusable": "Le guide.",
        "transition-compost-links": "https://forge.example.org/guide\n",
    }
    missing = browse(owner).post(url, {**fields, "transition-compost-tried": ""})
    assert missing.status_code == 400 and not Lesson.objects.exists()
    bad_link = browse(owner).post(url, {**fields, "transition-compost-links": "ftp://x"})
    assert bad_link.status_code == 400 and not Lesson.objects.exists()
    assert browse(stranger).post(url, fields).status_code == 403
    assert browse(owner).post(url, fields).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.ARCHIVED
    lifecycle.compost(
        by=owner,
        project=restricted_project,
        tried="Secret.",
        worked="Secret.",
        failed="Secret.",
        reusable="Secret.",
    )
    index = browse().get("/lessons/").content.decode()
    assert "Un atelier mobile." in index and "https://forge.example.org/guide" in index
    assert "Secret." not in index
    assert "Secret." in browse(owner).get("/lessons/").content.decode()


def test_open_conditions_wait_in_the_reviewers_inbox(
    browse, project, member, reviewer, reviewer2, review
):
    workflow_services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Oui.",
        conditions=[{"text": "Publier le guide.", "owner": member.pk, "due_on": in_days(12)}],
    )
    condition = Condition.objects.get()
    page = browse(reviewer2).get("/inbox/").content.decode()
    assert f'id="inbox-condition-{condition.pk}"' in page
    lifecycle.meet_condition(by=reviewer2, condition=condition)
    assert "inbox-condition-" not in browse(reviewer2).get("/inbox/").content.decode()
