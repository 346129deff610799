"""Forms in a real browser: a refused form lands the person on its errors, destroying asks
first (with and without JavaScript), and odd requests answer pages."""

import pytest
from playwright.sync_api import expect

from discussion import services as comment_services
from projects.models import Project

from .browser_support import (
    PHONE,
    assert_accessible,
    beside_the_browser,
    required_items,
    screenshot,
    submit,
    visit,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


def test_a_refused_form_lands_on_its_errors(open_page, project, owner):
    page = open_page(owner)
    visit(page, "/projects/new/")
    page.fill("#id_summary", "Un kit pour accompagner les premiers pas en ligne.")
    submit(page, "main form button[type=submit]")
    summary = page.locator("main form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page.locator("#id_title_error")).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value(
        "Un kit pour accompagner les premiers pas en ligne."
    )
    summary.locator("a[href='#id_title']").click()
    expect(page.locator("#id_title")).to_be_focused()
    assert_accessible(page)

    # Deep in the project page, on a phone: the summary of the item's form comes into view.
    phone = open_page(owner, viewport=PHONE)
    visit(phone, f"/projects/{project.pk}/")
    button = phone.locator("#review-panel form button")
    expect(button).to_be_disabled()
    expect(phone.locator("#open-review-why")).to_contain_text("critères requis")
    item = required_items(project)[-1]
    phone.click(f"#item-{item.pk} details:first-of-type summary")
    submit(phone, f"#item-{item.pk} form[action$='/attest/'] button")
    summary = phone.locator(f"#item-{item.pk} [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert_accessible(phone)
    screenshot(phone, "phone-form-errors", full_page=False)


def test_destroying_asks_first_with_and_without_javascript(
    open_page, project, owner, member, stranger
):
    project = project
    comment, _created = beside_the_browser(
        comment_services.post_comment, by=owner, project=project, body="À effacer bientôt."
    )

    # With JavaScript: a dialog in place; cancelling changes nothing.
    page = open_page(owner)
    visit(page, f"/projects/{project.pk}/")
    page.click("a[href$='/delete/'][data-confirm]:has-text('Supprimer le projet')")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Kit d'inclusion numérique")
    assert_accessible(page)
    screenshot(page, "confirm-dialog", full_page=False)
    dialog.get_by_role("link", name="Annuler").click()
    expect(dialog).to_have_count(0)
    assert Project.objects.filter(pk=project.pk).exists()

    page.click(f"#comment-{comment.pk} a[data-confirm]")
    with page.expect_navigation():
        page.get_by_role("dialog").get_by_role("button", name="Supprimer le message").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("supprimé par son auteur")

    # Without JavaScript: a page that asks, then does it.
    visit(page, f"/projects/{project.pk}/team/{member.pk}/remove/", shot="confirm-page")
    plain = open_page(owner, javascript=False)
    plain.goto(f"/projects/{project.pk}/team/")
    plain.click(f"a[href$='/team/{member.pk}/remove/']")
    expect(plain.locator("h1")).to_contain_text("Retirer Malik")
    submit(plain, "main form button[type=submit]")
    assert not project.memberships.filter(user=member).exists()

    plain.goto(f"/projects/{project.pk}/delete/")
    submit(plain, "main form button[type=submit]")
    assert not Project.objects.filter(pk=project.pk).exists()

    # The confirmation is no way around the rules.
    outsider = open_page(stranger, javascript=False)
    assert outsider.goto(f"/projects/{project.pk}/delete/").status == 404


def test_odd_requests_answer_pages(open_page, project, owner):
    page = open_page(owner)
    response = page.goto(f"/projects/{project.pk}/review/")
    assert response.status == 405
    expect(page.locator("h1")).to_have_text("Adresse d'un formulaire")
    assert_accessible(page)


def test_the_json_export_downloads_json(open_page, project, funder):
    page = open_page(funder)
    with page.expect_download() as download:
        page.goto("/portfolio/")
        page.click("a[href^='/api/portfolio/export.json']")
    assert download.value.suggested_filename == "portefeuille.json"
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    response = page.request.get("/api/portfolio/export.json", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json().get("count") == 1, response.text()
    assert page.request.get("/favicon.ico").ok


def test_the_api_docs_are_accessible(open_page):
    page = open_page()
    page.goto("/api/docs/")
    expect(page.get_by_text("Incubateur NEC — API").first).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    screenshot(page, "api-docs", full_page=False)
