"""The pages in a real browser (Chromium through Playwright) against a real Daphne: the
journey of a project from proposal to commons, live comments between two people, refusals,
and a phone-sized screen. Every page visited is scanned with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from discussion import services as comment_services
from projects.models import Project, Stage

from .browser_support import (
    PHONE,
    answer_and_verify,
    approve,
    assert_accessible,
    beside_the_browser,
    choose,
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


def test_journey_from_proposal_to_commons(open_page, owner, member, reviewer, reviewer2, funder):
    # The owner proposes a project; a first try without a title shows the errors in place.
    team = open_page(owner)
    visit(team, "/projects/new/")
    team.fill("#id_summary", "Un kit pour accompagner les premiers pas en ligne.")
    submit(team, "main form button[type=submit]")
    expect(team.locator("#id_title_error")).to_be_visible()
    expect(team.locator("#id_summary")).to_have_value(
        "Un kit pour accompagner les premiers pas en ligne."
    )
    assert_accessible(team)
    screenshot(team, "propose-errors")
    team.fill("#id_title", "Kit d'inclusion numérique")
    choose(team, "#id_visibility_0")
    submit(team, "main form button[type=submit]")
    project = Project.objects.get(title="Kit d'inclusion numérique")
    assert team.url.endswith(f"/projects/{project.pk}/")

    # The owner builds the team.
    visit(team, f"/projects/{project.pk}/team/")
    team.fill("#id_username", member.username)
    submit(team, "main form[novalidate] button[type=submit]")
    expect(team.locator("table")).to_contain_text("Malik")
    assert_accessible(team)
    screenshot(team, "team")

    # The team answers the prototype checklist in the page, then asks for the review.
    visit(team, f"/projects/{project.pk}/")
    for item in required_items(project):
        team.click(f"#item-{item.pk} details:first-of-type summary")
        team.fill(f"#id_attest-{item.pk}-evidence_text", "Notre réponse, preuves à l'appui.")
        submit(team, f"#item-{item.pk} form[action$='/attest/'] button")
    submit(team, "#review-panel form button")
    expect(team.locator("#review-panel")).to_contain_text("Revue ouverte")
    assert_accessible(team)
    screenshot(team, "project")
    wait_live(team)

    # A reviewer finds it in the inbox, verifies every criterion and approves.
    review = open_page(reviewer)
    visit(review, "/inbox/", shot="inbox")
    expect(review.locator("main")).to_contain_text("Kit d'inclusion numérique")
    visit(review, f"/projects/{project.pk}/")
    for item in required_items(project):
        submit(review, f"#item-{item.pk} form[action$='/verify/'] button")
    # The team's page follows each verification without a reload.
    expect(team.locator(f"#item-{required_items(project)[0].pk}")).to_contain_text("Vérifié")
    visit(review, f"/projects/{project.pk}/", shot="project-reviewer-view")
    approve(review, project, "Intentions claires, équipe solide.")
    expect(team.locator("#stage")).to_contain_text("Prototype")
    # The decision notified the team: the badge of the navigation counts it without a reload.
    expect(team.locator("#unread-count")).to_be_visible()
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE

    # Pilot and commons: two approvals each (quorum 2), the second one advances.
    second = open_page(reviewer2)
    for stage in (Stage.PILOT, Stage.COMMONS):
        beside_the_browser(answer_and_verify, project, owner, reviewer)
        visit(team, f"/projects/{project.pk}/")
        submit(team, "#review-panel form button")
        wait_live(team)
        approve(review, project, "Les preuves sont publiées.")
        expect(review.locator("#review-panel")).to_contain_text("Il manque 1 approbation")
        approve(second, project, "D'accord avec Rita.")
        expect(team.locator("#stage")).to_contain_text(str(stage.label))
        project.refresh_from_db()
        assert project.stage == stage

    # A funder reads the finished commons, its history and the board.
    reader = open_page(funder)
    visit(reader, f"/projects/{project.pk}/", shot="project-commons")
    history = reader.locator("#history li.is-advance")
    expect(history).to_have_count(3)
    visit(reader, "/pipeline/", shot="board")
    expect(reader.locator("section[aria-labelledby='column-commons']")).to_contain_text(
        "Kit d'inclusion numérique"
    )
    visit(reader, "/portfolio/", shot="portfolio")
    visit(reader, "/", shot="home")
    visit(reader, "/projects/", shot="projects")
    visit(team, "/notifications/", shot="notifications")
    expect(team.locator("main")).to_contain_text("Kit d'inclusion numérique")
    visit(team, "/account/", shot="account")
    visit(team, f"/projects/{project.pk}/edit/")
    visit(team, "/accounts/password_change/")


def test_two_people_see_each_others_comments_live(open_page, project, owner, stranger):
    project = project
    writer = open_page(owner)
    reader = open_page(stranger)
    closes = []

    def relay(socket):
        socket.connect_to_server()
        closes.append(socket)

    reader.route_web_socket(re.compile(r"/ws/projects/"), relay)
    for page in (writer, reader):
        page.goto(f"/projects/{project.pk}/")
        wait_live(page)
    for page in (writer, reader):
        page.evaluate("window.stillTheSamePage = true")

    # An empty message: the error comes back next to the field, without leaving the page.
    writer.click("#comment-form button")
    expect(writer.locator("#id_comment-body_error")).to_be_visible()

    # Comment forms post in the background: the comment reaches both pages through the socket.
    writer.fill("#id_comment-body", "Bonjour, qui veut **tester** le kit ?")
    writer.click("#comment-form button")
    expect(reader.locator("#comments > li")).to_have_count(1)
    comment = project.comments.get()
    expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text("Bonjour, qui veut tester")
    expect(reader.locator(f"#comment-{comment.pk} strong").last).to_have_text("tester")
    expect(writer.locator(f"#comment-{comment.pk}")).to_contain_text("Bonjour, qui veut tester")
    expect(writer.locator("#id_comment-body")).to_have_value("")

    reader.click(f"#comment-{comment.pk} summary:has-text('Répondre')")
    reader.fill(f"#id_reply-{comment.pk}-body", "Moi ! Je peux le tester samedi.")
    reader.click(f"#reply-form-{comment.pk} button")
    expect(writer.locator(f"#replies-{comment.pk}")).to_contain_text("samedi")
    expect(reader.locator(f"#replies-{comment.pk}")).to_contain_text("samedi")
    assert writer.evaluate("document.querySelectorAll('#comments > li').length") == 1
    for page in (writer, reader):
        assert page.evaluate("window.stillTheSamePage") is True

    # A message the reader's socket never relayed (written by another process, whose
    # broadcast does not reach this server) arrives when the socket reconnects and resumes.
    reader.goto(f"/projects/{project.pk}/")
    wait_live(reader)
    reader.evaluate("window.stillTheSamePage = true")
    beside_the_browser(
        comment_services.post_comment, by=owner, project=project, body="Écrit pendant la coupure."
    )
    closes[-1].close()
    expect(reader.locator("#comments")).to_contain_text("Écrit pendant la coupure.")
    assert reader.evaluate("window.stillTheSamePage") is True
    screenshot(reader, "project-discussion")


def test_the_list_finds_with_every_select_left_on_all(
    open_page, project, restricted_project, member
):
    """The filter form sends ``theme=`` and ``territory=`` when left on "Tous": that is "all"."""
    page = open_page(member)
    visit(page, "/projects/")
    page.fill("#id_q", project.title.upper())
    submit(page, "form[aria-labelledby=filters-title] button[type=submit]")
    assert "theme=" in page.url and "territory=" in page.url
    expect(page.locator(".project-list")).to_contain_text(project.title)
    expect(page.locator("[role=status]")).to_have_text("1 projet trouvé")

    page.fill("#id_q", "")
    submit(page, "form[aria-labelledby=filters-title] button[type=submit]")
    expect(page.locator(".project-list")).to_contain_text(project.title)
    expect(page.locator(".project-list")).to_contain_text(restricted_project.title)
    # The address is the bookmark: opened again, it finds the same.
    page.goto(page.url)
    expect(page.locator("[role=status]")).to_have_text("2 projets trouvés")


def test_refusals(open_page, restricted_project, project, stranger):
    outsider = open_page(stranger)
    for url in (
        f"/projects/{restricted_project.pk}/",
        f"/projects/{restricted_project.pk}/edit/",
        f"/projects/{restricted_project.pk}/team/",
    ):
        response = outsider.goto(url)
        assert response.status == 404
        expect(outsider.locator("h1")).to_have_text("Page introuvable")
        expect(outsider.locator("main")).not_to_contain_text("Projet discret")
        assert_accessible(outsider)
    response = outsider.goto(f"/projects/{project.pk}/edit/")
    assert response.status == 403
    expect(outsider.locator("h1")).to_have_text("Accès refusé")
    assert_accessible(outsider)
    screenshot(outsider, "refusal")

    visitor = open_page()
    visitor.goto("/projects/new/")
    assert "/accounts/login/" in visitor.url
    assert_accessible(visitor)
    screenshot(visitor, "login")


def test_phone_keyboard_and_english(open_page, project, stranger):
    project = project
    phone = open_page(stranger, viewport=PHONE)
    for url in ("/", "/projects/", "/pipeline/", f"/projects/{project.pk}/"):
        visit(phone, url)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{url} scrolls sideways on a phone"
        )
    screenshot(phone, "phone-project", full_page=False)

    phone.goto("/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.getAttribute('href')") == "#main"
    phone.keyboard.press("Enter")
    assert phone.evaluate("location.hash") == "#main"

    phone.select_option("#language-select", "en")
    submit(phone, ".language-form button")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("main")).to_contain_text("Propose a project")
    assert_accessible(phone)
