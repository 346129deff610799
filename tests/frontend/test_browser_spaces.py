"""Each role's home and the curator's console in a real browser: Mon espace for a team,
a reviewer and a funder, À relire one click from the criterion, and the programme console
used end to end. Every page is scanned with axe, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from discussion import services as comment_services
from discussion.models import Comment
from projects import services as project_services
from tests.workflows.conftest import attest_all
from workflows import services as workflow_services
from workflows.models import ChecklistItem, Criterion, Gate

from .browser_support import (
    assert_accessible,
    beside_the_browser,
    choose,
    screenshot,
    sign_in,
    submit,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(chromium, daphne_url):
    """``open_page(user)``: a fresh browser context, signed in when a user is given."""
    contexts = []

    def make(user=None, *, viewport=DESKTOP):
        context = chromium.new_context(base_url=daphne_url, viewport=viewport, locale="fr-FR")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, user)
        return page

    yield make
    for context in contexts:
        context.close()


def visit(page, url: str, *, shot: str | None = None) -> None:
    page.goto(url)
    assert_accessible(page)
    if shot:
        screenshot(page, shot)


def fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} scrolls sideways on a phone"
    )


def review_waiting(owner, reviewer2, project):
    """A review open with one approval of two and one criterion verified."""
    Gate.objects.filter(stage="prototype").update(quorum=2)
    attest_all(project, owner)
    review = workflow_services.open_review(by=owner, project=project)
    item = ChecklistItem.objects.filter(project=project, required=True).first()
    workflow_services.verify_item(by=reviewer2, item=item)
    workflow_services.decide(by=reviewer2, review=review, verdict="approve", rationale="Oui.")
    return review


def test_each_role_lands_on_its_own_work(
    open_page, project, restricted_project, owner, reviewer, reviewer2, funder
):
    beside_the_browser(review_waiting, owner, reviewer2, project)
    beside_the_browser(project_services.follow_project, by=funder, project=restricted_project)

    # The team: its projects with the next step in words.
    team = open_page(owner)
    assert team.url.endswith("/space/")
    assert_accessible(team)
    expect(team.locator(f"#mine-{project.pk}")).to_contain_text(
        "Revue ouverte : 1 approbation sur 2, 4 critères à vérifier"
    )
    expect(team.locator(f"#mine-{restricted_project.pk}")).to_contain_text("5 critères à attester")
    screenshot(team, "space-team")

    # A reviewer: what waits for them, and À relire one click from each criterion.
    checker = open_page(reviewer)
    expect(checker.locator("#waiting")).to_contain_text("1 revue attend votre décision")
    assert_accessible(checker)
    screenshot(checker, "space-reviewer")
    visit(checker, "/inbox/", shot="review-queue")
    expect(checker.locator("main")).to_contain_text("1 approbation sur 2")
    expect(checker.locator("main")).to_contain_text("1 critère requis vérifié sur 5")
    waiting = ChecklistItem.objects.filter(project=project, status="attested").first()
    with checker.expect_navigation():
        checker.click(f"#verify-{waiting.pk} a")
    expect(checker.locator(f"#item-{waiting.pk} form[action$='/verify/'] button")).to_be_visible()
    assert_accessible(checker)

    # A funder: the portfolio in brief and the projects they follow.
    reader = open_page(funder)
    expect(reader.locator("#portfolio-summary")).to_contain_text("Le portefeuille en bref")
    expect(reader.locator(f"#followed-{restricted_project.pk}")).to_contain_text("Projet discret")
    assert_accessible(reader)
    screenshot(reader, "space-funder")

    for person in (owner, reviewer, funder):
        phone = open_page(person, viewport=PHONE)
        assert_accessible(phone)
        fits_a_phone(phone)
        visit(phone, f"/projects/{project.pk}/")
        fits_a_phone(phone)
    screenshot(phone, "space-phone", full_page=False)


def test_a_link_to_a_criterion_opens_its_group(open_page, project, stranger):
    item = ChecklistItem.objects.select_related("criterion").filter(project=project).first()
    page = open_page(stranger)
    page.goto(f"/projects/{project.pk}/")
    group = page.locator(f"#principle-{item.criterion.principle}")
    expect(group).not_to_have_attribute("open", "")
    page.goto(f"/projects/{project.pk}/#item-{item.pk}")
    expect(group).to_have_attribute("open", "")
    expect(page.locator(f"#item-{item.pk}")).to_be_in_viewport()


def test_curator_configures_the_programme_from_the_pages(
    open_page, project, owner, curator, reviewer, reviewer2
):
    comment, _ = beside_the_browser(
        comment_services.post_comment, by=owner, project=project, body="Spam ici."
    )
    page = open_page(curator)
    page.click("nav.main-nav a[href='/console/']")
    expect(page.locator("h1")).to_have_text("Console du programme")
    assert_accessible(page)
    screenshot(page, "console")

    # Quorum and pool of the pilot gate; a bad quorum is refused beside its field.
    visit(page, "/console/gates/pilot/")
    page.fill("#id_quorum", "12")
    submit(page, "#gate-form button[type=submit]")
    expect(page.locator("#id_quorum_error")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_quorum", "3")
    choose(page, f"#gate-form input[name=reviewers][value='{reviewer.pk}']")
    submit(page, "#gate-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("L'étape est enregistrée.")
    gate = Gate.objects.get(stage="pilot")
    assert gate.quorum == 3
    assert list(gate.reviewers.all()) == [reviewer]
    screenshot(page, "console-gate")

    # A new criterion, edited, then deleted.
    page.click("text=Ajouter un critère")
    page.fill("#id_code", "pilot-partner")
    page.select_option("#id_principle", "general_interest")
    page.fill("#id_title_fr", "Un partenaire territorial")
    page.fill("#id_title_en", "A territorial partner")
    choose(page, "#id_level_0")
    choose(page, "#id_evidence_0")
    assert_accessible(page)
    submit(page, "#criterion-form button[type=submit]")
    created = Criterion.objects.get(code="pilot-partner")
    expect(page.locator(f"#criterion-{created.pk}")).to_contain_text("Un partenaire territorial")
    page.click(f"#criterion-{created.pk} a")
    choose(page, "#id_level_1")
    submit(page, "#criterion-form button[type=submit]")
    assert Criterion.objects.get(pk=created.pk).level == "recommended"
    page.click(f"#criterion-{created.pk} a")
    submit(page, "form[action$='/delete/'] button")
    assert not Criterion.objects.filter(pk=created.pk).exists()

    # Moderation: the comment is removed through the comment service, a tombstone stays.
    visit(page, "/console/moderation/", shot="console-moderation")
    submit(page, f"#moderate-{comment.pk} button")
    expect(page.locator(".messages")).to_contain_text("Le message est supprimé")
    assert Comment.objects.get(pk=comment.pk).deleted_by == curator

    phone = open_page(curator, viewport=PHONE)
    for url in ("/console/", "/console/gates/pilot/", "/console/moderation/"):
        visit(phone, url)
        fits_a_phone(phone)
