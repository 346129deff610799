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


def conditions(*rows, prefix="decide-conditions"):
    """The formset's fields of the vote's conditions, one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    return data


def test_a_reviewer_approves_with_a_condition(browse, project, member, reviewer, review):
    page = browse(reviewer).get(f"/projects/{project.pk}/").content.decode()
    assert 'name="decide-conditions-0-owner"' in page and "Approuver sous conditions" in page
    vote = {
        "decide-verdict": "approve_with_conditions",
        "decide-rationale": "Oui, si le guide suit.",
    }
    row = {"text": "Publier le guide.", "owner": member.pk, "due_on": in_days(30)}
    past = browse(reviewer).post(
        f"/reviews/{review.pk}/decide/", {**vote, **conditions({**row, "due_on": in_days(-1)})}
    )
    assert past.status_code == 400 and "futur" in past.content.decode()
    assert not Decision.objects.exists()
    done = browse(reviewer).post(f"/reviews/{review.pk}/decide/", {**vote, **conditions(row)})
    assert done.status_code == 302
    condition = Condition.objects.get()
    assert (condition.owner, condition.status) == (member, "open")
    page = browse(member).get(f"/projects/{project.pk}/").content.decode()
    assert f'id="condition-{condition.pk}"' in page and "Publier le guide." in page
    met = f"/projects/{project.pk}/conditions/{condition.pk}/met/"
    assert browse(member).post(met, {}).status_code == 403
    assert browse(reviewer).post(met, {f"met-{condition.pk}-note": "Vu."}).status_code == 302
    assert Condition.objects.get().status == "met"


def test_the_error_summary_counts_the_errors_of_the_conditions(browse, project, reviewer, review):
    vote = {"decide-verdict": "approve_with_conditions", "decide-rationale": "Oui."}
    row = {"text": "Publier le guide.", "owner": "", "due_on": in_days(30)}
    refused = browse(reviewer).post(f"/reviews/{review.pk}/decide/", {**vote, **conditions(row)})
    assert refused.status_code == 400
    assert "Le formulaire contient une erreur" in refused.content.decode()
    two = conditions(row, {**row, "text": "Nommer un référent.", "due_on": in_days(-1)})
    refused = browse(reviewer).post(f"/reviews/{review.pk}/decide/", {**vote, **two})
    assert "Le formulaire contient 3 erreurs" in refused.content.decode()


def test_one_vote_carries_several_conditions(browse, project, owner, member, reviewer, review):
    criterion = review.gate.criteria.filter(active=True).first()
    vote = {"decide-verdict": "approve_with_conditions", "decide-rationale": "Oui, avec trois."}
    rows = conditions(
        {"text": "Publier le guide.", "owner": member.pk, "due_on": in_days(30)},
        {"text": "", "owner": "", "due_on": ""},
        {"text": "Nommer un référent.", "owner": owner.pk, "due_on": in_days(60)},
        {
            "text": "Tester avec un usager.",
            "owner": member.pk,
            "due_on": in_days(45),
            "criterion": criterion.code,
        },
    )
    answer = browse(reviewer).post(f"/reviews/{review.pk}/decide/", {**vote, **rows})
    assert answer.status_code == 302
    made = list(Condition.objects.order_by("pk").values_list("text", "owner", "criterion"))
    assert made == [
        ("Publier le guide.", member.pk, None),
        ("Nommer un référent.", owner.pk, None),
        ("Tester avec un usager.", member.pk, criterion.pk),
    ]
    decision = Decision.objects.get()
    assert decision.verdict == "approve_with_conditions" and len(decision.conditions) == 3


@pytest.mark.parametrize(
    ("bad", "field", "says"),
    [
        ({"due_on": "PAST"}, "due_on", "futur"),
        ({"owner": "STRANGER"}, "owner", "Sélectionnez un choix valide"),
        ({"text": ""}, "text", "Écrivez ce que"),
        ({"due_on": ""}, "due_on", "Donnez une échéance"),
    ],
)
def test_a_bad_condition_refuses_the_whole_vote(
    browse, project, member, reviewer, stranger, review, bad, field, says
):
    good = {"text": "Publier le guide.", "owner": member.pk, "due_on": in_days(30)}
    wrong = {"text": "Nommer un référent.", "owner": member.pk, "due_on": in_days(20), **bad}
    wrong = {
        name: {"PAST": in_days(-1), "STRANGER": stranger.pk}.get(value, value)
        for name, value in wrong.items()
    }
    vote = {"decide-verdict": "approve_with_conditions", "decide-rationale": "Oui, si."}
    answer = browse(reviewer).post(
        f"/reviews/{review.pk}/decide/", {**vote, **conditions(good, wrong)}
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert not Decision.objects.exists() and not Condition.objects.exists()
    # Beside the field, in the summary at the top (a link to the field), and what was
    # typed is kept.
    assert f'id="id_decide-conditions-1-{field}_error"' in page and says in page
    assert f'href="#id_decide-conditions-1-{field}"' in page
    assert "Condition 2, " in page
    assert "Publier le guide." in page and "Oui, si." in page
    assert f'id="id_decide-conditions-0-{field}_error"' not in page


def test_approve_with_conditions_needs_one(browse, project, reviewer, review):
    vote = {"decide-verdict": "approve_with_conditions", "decide-rationale": "Oui."}
    answer = browse(reviewer).post(
        f"/reviews/{review.pk}/decide/", {**vote, **conditions({"text": ""})}
    )
    assert answer.status_code == 400 and "au moins une condition" in answer.content.decode()
    assert not Decision.objects.exists()


def test_adding_a_condition_without_javascript_keeps_what_was_typed(
    browse, project, member, reviewer, review
):
    vote = {"decide-verdict": "approve_with_conditions", "decide-rationale": "Oui, si."}
    row = {"text": "Publier le guide.", "owner": member.pk, "due_on": in_days(30)}
    answer = browse(reviewer).post(
        f"/reviews/{review.pk}/decide/", {**vote, **conditions(row), "add-condition": "1"}
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and not Decision.objects.exists()
    assert 'name="decide-conditions-1-text"' in page
    assert 'name="decide-conditions-2-text"' not in page
    assert "Publier le guide." in page and "Oui, si." in page
    assert "data-error-summary" not in page
    # Twice more, from the rows just shown: one more each time.
    again = (
        browse(reviewer)
        .post(
            f"/reviews/{review.pk}/decide/",
            {**vote, **conditions(row, {"text": ""}), "add-condition": "1"},
        )
        .content.decode()
    )
    assert 'name="decide-conditions-2-text"' in again


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
