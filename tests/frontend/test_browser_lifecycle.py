"""The lifecycle's forms in a real browser: hold and lift, approve with a condition and say
it met, compost with its lesson and find it in the index."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Hold, Project, Stage
from tests.workflows.conftest import ready_for_decision
from workflows.models import Condition, Lesson

from .browser_support import beside_the_browser, choose, submit, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def open_action(page, name):
    page.click(f"#actions form[action$='/transitions/{name}/'] >> xpath=.. >> summary")


def test_a_curator_holds_and_lifts_in_the_page(open_page, project, curator):
    page = open_page(curator)
    visit(page, f"/projects/{project.pk}/")
    open_action(page, "hold")
    page.fill("#id_transition-hold-reason", "En attente du cofinancement.")
    page.fill("#id_transition-hold-revisit_on", in_days(20))
    submit(page, "#actions form[action$='/transitions/hold/'] button")
    expect(page.locator("#hold")).to_contain_text("En attente du cofinancement.")
    assert Hold.objects.get().status == "in_force"
    visit(page, f"/projects/{project.pk}/")
    open_action(page, "lift_hold")
    submit(page, "#actions form[action$='/transitions/lift_hold/'] button")
    expect(page.locator("#hold")).to_have_count(0)
    assert Hold.objects.get().status == "lifted"


def test_a_reviewer_approves_with_a_condition_then_says_it_met(
    open_page, project, owner, member, reviewer
):
    beside_the_browser(ready_for_decision, project, owner, reviewer)
    page = open_page(reviewer)
    visit(page, f"/projects/{project.pk}/")
    choose(page, "#decide-form input[value='approve_with_conditions']")
    page.fill("#id_decide-rationale", "Oui, si le guide suit.")
    page.fill("#id_decide-conditions-0-text", "Publier le guide d'installation.")
    page.select_option("#id_decide-conditions-0-owner", str(member.pk))
    page.fill("#id_decide-conditions-0-due_on", in_days(30))
    # A second condition, added in place; its due date in the past refuses the whole vote,
    # with the error beside the field and in the summary, and what was typed kept.
    page.click("#decide-form [data-add-condition]")
    expect(page.locator("#id_decide-conditions-1-text")).to_be_focused()
    expect(page.locator("#decide-form .condition-row legend")).to_contain_text(
        ["Condition 1", "Condition 2"]
    )
    page.keyboard.type("Nommer une personne référente.")
    page.select_option("#id_decide-conditions-1-owner", str(owner.pk))
    page.fill("#id_decide-conditions-1-due_on", in_days(-1))
    submit(page, "#decide-form button[type=submit]")
    summary = page.locator("#decide-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Condition 2, Échéance de la condition")
    expect(page.locator("#id_decide-conditions-1-due_on_error")).to_contain_text("futur")
    expect(page.locator("#id_decide-conditions-0-text")).to_have_value(
        "Publier le guide d'installation."
    )
    assert not Condition.objects.exists()
    page.fill("#id_decide-conditions-1-due_on", in_days(40))
    submit(page, "#decide-form button[type=submit]")
    assert Condition.objects.count() == 2
    condition = Condition.objects.order_by("pk").first()
    assert Project.objects.get(pk=project.pk).stage == Stage.PROTOTYPE
    visit(page, f"/projects/{project.pk}/")
    row = page.locator(f"#condition-{condition.pk}")
    row.locator("summary").first.click()
    submit(page, f"#condition-{condition.pk} form[action$='/met/'] button")
    assert Condition.objects.get(pk=condition.pk).status == "met"


def test_the_owner_composts_and_the_lesson_is_public(open_page, project, owner):
    page = open_page(owner)
    visit(page, f"/projects/{project.pk}/")
    open_action(page, "compost")
    form = "#actions form[action$='/transitions/compost/']"
    submit(page, f"{form} button")
    expect(page.locator(f"{form} [data-error-summary]")).to_be_visible()
    assert not Lesson.objects.exists()
    page.fill("#id_transition-compost-tried", "Un atelier mobile.")
    page.fill("#id_transition-compost-worked", "Les permanences en mairie.")
    page.fill("#id_transition-compost-failed", "Le camion.")
    page.fill("#id_transition-compost-reusable", "Le guide d'animation.")
    submit(page, f"{form} button")
    assert Project.objects.get(pk=project.pk).stage == Stage.ARCHIVED
    visitor = open_page(None)
    visit(visitor, "/lessons/")
    expect(visitor.locator("main")).to_contain_text("Le guide d'animation.")
