"""Live project pages in a real browser: every live fragment follows any number of changes
made by other people, and a live update never takes away what a person is typing.

The changes go through the server under test (a browser's forms, or the API with a token),
since only its own broadcasts reach the sockets it holds."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tokens import issue_token
from projects import services as project_services
from tests.workflows.conftest import attest_all, ready_for_decision
from workflows import gates
from workflows import services as workflow_services
from workflows.models import Condition

from .browser_support import (
    assert_accessible,
    beside_the_browser,
    choose,
    meet_computed_criteria,
    required_items,
    screenshot,
    submit,
    visit,
    wait_live,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


class Actor:
    """Someone acting on a project through the API of the server under test."""

    def __init__(self, page, user):
        self.request = page.request
        self.headers = {"Authorization": f"Token {issue_token(user=user, name='browser test')[1]}"}

    def call(self, method: str, url: str, data: dict) -> None:
        response = self.request.fetch(url, method=method, data=data, headers=self.headers)
        assert response.ok, response.text()

    def item(self, item, **data) -> None:
        self.call("PATCH", f"/api/projects/{item.project_id}/checklist/{item.pk}/", data)

    def open_review(self, project) -> None:
        self.call("POST", f"/api/projects/{project.pk}/reviews/", {})

    def approve(self, project) -> None:
        review = gates.open_review(project)
        self.call(
            "POST",
            f"/api/reviews/{review.pk}/decisions/",
            {"verdict": "approve", "rationale": "Vu."},
        )


def test_every_live_panel_follows_successive_changes(
    open_page, project, owner, reviewer, reviewer2, funder
):
    project = project
    watcher = open_page(funder)
    watcher.goto(f"/projects/{project.pk}/")
    wait_live(watcher)
    watcher.evaluate("window.stillTheSamePage = true")
    stage = watcher.locator("#stage")
    panel = watcher.locator("#review-panel")

    # The first gate through the pages of two other browsers.
    team = open_page(owner)
    review = open_page(reviewer)
    items = required_items(project)
    assert len(items) >= 3
    visit(team, f"/projects/{project.pk}/")
    for item in items:
        team.click(f"#item-{item.pk} details:first-of-type summary")
        team.fill(f"#id_attest-{item.pk}-evidence_text", "Notre réponse, preuves à l'appui.")
        submit(team, f"#item-{item.pk} form[action$='/attest/'] button")
        expect(watcher.locator(f"#item-{item.pk} .fr-badge")).to_have_text("Attesté")
    submit(team, "#review-panel form button")
    expect(panel).to_contain_text("Revue ouverte")
    expect(panel).to_contain_text("0 approbation sur 1")
    visit(review, f"/projects/{project.pk}/")
    for done, item in enumerate(items, start=1):
        submit(review, f"#item-{item.pk} form[action$='/verify/'] button")
        expect(watcher.locator(f"#item-{item.pk} .fr-badge")).to_have_text("Vérifié")
        expect(stage).to_contain_text(f"{done} critère")
        expect(stage).to_contain_text(f"sur {len(items)}.")
    choose(review, "#id_decide-verdict_0")
    review.fill("#id_decide-rationale", "Intentions claires.")
    submit(review, "#decide-form button[type=submit]")
    expect(stage).to_contain_text("Étape : Prototype")

    # Two more gates through the API, quorum 2: every count follows.
    team_api, first, second = Actor(team, owner), Actor(review, reviewer), Actor(team, reviewer2)
    for stage_label in ("Pilote", "Commun"):
        project.refresh_from_db()
        beside_the_browser(meet_computed_criteria, project, reviewer)
        items = required_items(project)  # what the team answers: the stage counts those
        for done, item in enumerate(items, start=1):
            team_api.item(item, status="attested", evidence_url="https://forge.example.org/kit")
            expect(watcher.locator(f"#item-{item.pk} .fr-badge")).to_have_text("Attesté")
            first.item(item, status="verified")
            expect(watcher.locator(f"#item-{item.pk} .fr-badge")).to_have_text("Vérifié")
            expect(stage).to_contain_text(f"{done} critère")
            expect(stage).to_contain_text(f"sur {len(items)}.")
        team_api.open_review(project)
        expect(panel).to_contain_text("0 approbation sur 2")
        first.approve(project)
        expect(panel).to_contain_text("1 approbation sur 2")
        second.approve(project)
        expect(stage).to_contain_text(f"Étape : {stage_label}")

    expect(stage).to_contain_text("commun numérique : il a franchi toutes les étapes")
    expect(watcher.locator("#history li.is-advance")).to_have_count(3)
    assert watcher.evaluate("window.stillTheSamePage") is True
    assert_accessible(watcher)

    # A commons looks finished, to anyone: nothing "missing", the evidence that earned each
    # gate, and where to find it and under which licence.
    beside_the_browser(
        project_services.update_project,
        by=owner,
        project=project,
        repository_url="https://forge.example.org/kit",
        website_url="https://kit.example.org",
        licence="EUPL-1.2",
    )
    visitor = open_page()
    visit(visitor, f"/projects/{project.pk}/")
    expect(visitor.locator(".blockers")).to_have_count(0)
    expect(visitor.locator("main")).not_to_contain_text("Ce qui manque")
    earned = visitor.locator("#history details.earned")
    expect(earned).to_have_count(3)
    earned.last.locator("summary").click()
    expect(earned.last).to_contain_text("forge.example.org/kit")
    facts = visitor.locator(".commons-facts")
    for text in ("https://forge.example.org/kit", "https://kit.example.org", "EUPL-1.2"):
        expect(facts).to_contain_text(text)
    assert_accessible(visitor)
    screenshot(visitor, "project-commons-finished")


def test_a_live_update_never_takes_what_someone_is_typing(
    open_page, project, owner, member, reviewer
):
    project = project
    items = required_items(project)
    writer = open_page(owner)
    visit(writer, f"/projects/{project.pk}/")
    wait_live(writer)
    colleague, checker = Actor(writer, member), Actor(writer, reviewer)
    mine = items[0]
    field = f"#id_attest-{mine.pk}-evidence_text"
    writer.click(f"#item-{mine.pk} details:first-of-type summary")
    writer.fill(field, "Ce que j'écris")
    writer.keyboard.type(" en ce moment")

    # A colleague answers the same criterion: the new evidence shows, my form stays open
    # with my text, the cursor where it was.
    colleague.item(
        mine, status="attested", evidence_url="https://forge.example.org/autre", evidence_text="Vu."
    )
    expect(writer.locator(f"#item-{mine.pk} .evidence")).to_contain_text("forge.example.org/autre")
    expect(writer.locator(f"#item-{mine.pk} details").first).to_have_attribute("open", "")
    expect(writer.locator(field)).to_have_value("Ce que j'écris en ce moment")
    writer.keyboard.type(", encore")
    expect(writer.locator(field)).to_have_value("Ce que j'écris en ce moment, encore")

    # Other changes around it (another item, the review panel) leave it alone too.
    colleague.item(
        items[1],
        status="attested",
        evidence_url="https://forge.example.org/kit",
        evidence_text="Vu.",
    )
    expect(writer.locator(f"#item-{items[1].pk} .fr-badge")).to_have_text("Attesté")
    expect(writer.locator(field)).to_have_value("Ce que j'écris en ce moment, encore")

    # A reviewer verifies it: the form no longer applies. The update waits beside the form,
    # and shows once the form is closed.
    checker.item(mine, status="verified")
    note = writer.locator(f"#item-{mine.pk} .live-note")
    expect(note).to_be_visible()
    expect(writer.locator(field)).to_have_value("Ce que j'écris en ce moment, encore")
    assert_accessible(writer)
    screenshot(writer, "project-live-form-kept")
    writer.click(f"#item-{mine.pk} details:first-of-type summary")
    expect(writer.locator(f"#item-{mine.pk} .fr-badge")).to_have_text("Vérifié")
    expect(note).to_have_count(0)


def test_the_lifecycle_shows_live_in_every_open_page(
    open_page, project, owner, member, reviewer, curator, funder
):
    """Approve with conditions, a condition met, a hold placed then lifted: a watcher sees
    each change without reloading, and a reviewer's half-written note stays as typed."""

    beside_the_browser(ready_for_decision, project, owner, reviewer)
    watcher = open_page(funder)
    visit(watcher, f"/projects/{project.pk}/")
    wait_live(watcher)
    watcher.evaluate("window.stillTheSamePage = true")
    writer = open_page(reviewer)
    visit(writer, f"/projects/{project.pk}/")
    wait_live(writer)
    judge, keeper = Actor(writer, reviewer), Actor(watcher, curator)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()

    review = gates.open_review(project)
    judge.call(
        "POST",
        f"/api/reviews/{review.pk}/decisions/",
        {
            "verdict": "approve_with_conditions",
            "rationale": "Oui, si la documentation suit.",
            "conditions": [
                {"text": "Publier le guide d'installation.", "owner": member.pk, "due_on": due},
                {"text": "Nommer une personne référente.", "owner": owner.pk, "due_on": due},
            ],
        },
    )
    expect(watcher.locator("#stage")).to_contain_text("Étape : Prototype")
    rows = watcher.locator("#conditions li[data-status]")
    expect(rows).to_have_count(2)
    first, second = Condition.objects.order_by("pk")
    for row in (first, second):
        expect(watcher.locator(f"#condition-{row.pk}")).to_have_attribute("data-status", "open")

    # The reviewer starts a note on the second condition while the others act.
    expect(writer.locator(f"#condition-{second.pk} summary").first).to_be_visible()
    writer.click(f"#condition-{second.pk} summary >> nth=0")
    note = f"#id_met-{second.pk}-note"
    writer.fill(note, "Vu en réunion")

    judge.call("POST", f"/api/projects/{project.pk}/conditions/{first.pk}/met/", {"note": "Fait."})
    expect(watcher.locator(f"#condition-{first.pk}")).to_have_attribute("data-status", "met")
    expect(writer.locator(f"#condition-{first.pk}")).to_have_attribute("data-status", "met")
    expect(writer.locator(note)).to_have_value("Vu en réunion")

    keeper.call(
        "POST",
        f"/api/projects/{project.pk}/holds/",
        {"reason": "En attente du cofinancement.", "revisit_on": due},
    )
    expect(watcher.locator("#hold")).to_contain_text("En attente du cofinancement.")
    expect(writer.locator("#hold")).to_contain_text("En attente du cofinancement.")
    expect(writer.locator(note)).to_have_value("Vu en réunion")

    keeper.call("POST", f"/api/projects/{project.pk}/holds/lift/", {"note": "Financement obtenu."})
    expect(watcher.locator("#hold")).to_have_count(0)
    expect(writer.locator("#hold")).to_have_count(0)
    writer.keyboard.type(", la suite demain")
    expect(writer.locator(note)).to_have_value("Vu en réunion, la suite demain")
    assert watcher.evaluate("window.stillTheSamePage") is True
    assert_accessible(watcher)

    # What the watcher sees live is what a fresh page shows.
    live = watcher.locator("#workflow").inner_text()
    watcher.reload()
    expect(watcher.locator("#hold")).to_have_count(0)
    assert watcher.locator("#workflow").inner_text() == live


def test_the_workflow_forms_answer_in_place(open_page, project, owner, reviewer, reviewer2, funder):
    """A reviewer's forms post in the background: their page stays where it is, the change
    shows on it and on every other open page, the answer's message in the live status;
    refused input brings the form back with its errors in front, and a decision that came
    too late says why in the form, with what was typed kept."""
    beside_the_browser(attest_all, project, owner)
    beside_the_browser(workflow_services.open_review, by=owner, project=project)
    checker, watcher = open_page(reviewer), open_page(funder)
    for page in (checker, watcher):
        visit(page, f"/projects/{project.pk}/")
        wait_live(page)
    checker.evaluate("window.stillTheSamePage = true")

    for item in required_items(project):
        said = submit(checker, f"#item-{item.pk} form[action$='/verify/'] button")
        assert said == "Critère vérifié."
        for page in (checker, watcher):
            expect(page.locator(f"#item-{item.pk}")).to_have_attribute("data-status", "verified")

    # No rationale: the form comes back with its errors, the summary takes the focus, the
    # verdict stays chosen.
    choose(checker, "#id_decide-verdict_0")
    assert submit(checker, "#decide-form button[type=submit]") is None
    expect(checker.locator("#decide-form [data-error-summary]")).to_be_focused()
    expect(checker.locator("#id_decide-verdict_0")).to_be_checked()
    assert_accessible(checker)

    # Another reviewer decides first, while this one writes: the update waits beside the
    # form; once the form is sent, the update comes in and the answer says why the vote
    # no longer counts, where the form was.
    checker.fill("#id_decide-rationale", "Tout y est, bravo.")
    Actor(watcher, reviewer2).approve(project)
    expect(watcher.locator("#stage")).to_have_attribute("data-stage", "prototype")
    expect(checker.locator("#review-panel .live-note")).to_be_visible()
    said = submit(checker, "#decide-form button[type=submit]")
    refusal = checker.locator(".live-refusal:has(+ #workflow)")
    expect(refusal).to_contain_text(said)
    expect(checker.locator("#review-panel .live-note")).to_have_count(0)
    expect(checker.locator("#stage")).to_have_attribute("data-stage", "prototype")
    assert checker.evaluate("window.stillTheSamePage") is True
    assert_accessible(checker)
    screenshot(checker, "project-decision-too-late")
    refusal.get_by_role("button", name="Masquer le message").click()
    expect(refusal).to_have_count(0)
