"""The words of the pages in a real browser: plurals by the reader's language rules, colons
spaced as each language wants, labels that say the truth, role names that fit everyone."""

import pytest
from playwright.sync_api import expect

from workflows import services as workflow_services

from .browser_support import assert_accessible, beside_the_browser, required_items, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


def test_plurals_colons_labels_and_roles(open_page, project, owner, reviewer):
    item = required_items(project)[0]
    beside_the_browser(
        workflow_services.attest_item, by=owner, item=item, evidence_text="Notre réponse."
    )
    page = open_page(reviewer)
    visit(page, "/projects/?q=introuvable")
    expect(page.locator("main [role=status]")).to_have_text("0 projet trouvé")
    visit(page, f"/projects/{project.pk}/")
    expect(page.locator("#stage h2")).to_have_text("Étape : Idée")
    expect(page.locator("aside")).to_contain_text("Olga · Responsable")
    note = page.locator(f"label[for='id_verify-{item.pk}-note']")
    expect(note).to_have_text("Note (facultatif)")

    english = open_page(reviewer, locale="en-GB")
    visit(english, f"/projects/{project.pk}/")
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.locator("#stage h2")).to_have_text("Stage: Idea")
    expect(english.locator(f"#item-{item.pk} .evidence strong")).to_have_text("Evidence:")
    assert " :" not in english.locator("main").inner_text().replace("\u00a0", " ")
    assert_accessible(english)
