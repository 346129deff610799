"""The reuse and renewal forms of the project page in a real browser: declaring (a refused
SIRET lands on its error, kept as typed), verifying, confirming, opening a renewal review
and voting on it; each page passes the accessibility scan."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from commons.models import RenewalReview, Reuse
from tests.workflows.conftest import pass_gate
from workflows import services as workflow_services

from .browser_support import (
    PHONE,
    beside_the_browser,
    choose,
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


def test_declare_verify_and_confirm_a_reuse(project, stranger, reviewer, funder, open_page):
    # Someone else keeps the page open throughout: each step shows there without a reload.
    watcher = open_page(funder)
    visit(watcher, f"/projects/{project.pk}/")
    wait_live(watcher)
    watcher.evaluate("window.stillTheSamePage = true")
    page = open_page(stranger)
    visit(page, f"/projects/{project.pk}/")
    page.click("#reuse-declare summary")
    page.fill("#id_reuse-organisation", "Médiathèque de Rezé")
    page.fill("#id_reuse-siret", "214 401 435 00011")
    page.select_option("#id_reuse-territory", "44")
    choose(page, "input[name='reuse-kind'][value='adapted']")
    page.fill("#id_reuse-use_case", "Prêt de tablettes et ateliers.")
    page.fill("#id_reuse-contact", "numerique@reze.example.org")
    submit(page, "#reuse-form button[type=submit]")
    expect(page.locator("#reuse-form")).to_contain_text("la clé de contrôle ne correspond pas")
    expect(page.locator("#id_reuse-organisation")).to_have_value("Médiathèque de Rezé")
    assert Reuse.objects.count() == 0
    page.fill("#id_reuse-siret", "214 401 435 00018")
    choose(page, "input[name='reuse-kind'][value='adapted']")
    submit(page, "#reuse-form button[type=submit]")
    reuse = Reuse.objects.get()
    expect(page.locator(f"#reuse-{reuse.pk}")).to_contain_text("Déclarée")
    expect(watcher.locator(f"#reuse-{reuse.pk}")).to_contain_text("Déclarée")

    checker = open_page(reviewer)
    visit(checker, f"/projects/{project.pk}/#reuses")
    checker.fill(f"#id_reuse-{reuse.pk}-note", "Instance vue en ligne.")
    submit(checker, f"#reuse-{reuse.pk} form button:has-text('Vérifier')")
    expect(checker.locator(f"#reuse-{reuse.pk}")).to_contain_text("Vérifiée")
    expect(watcher.locator(f"#reuse-{reuse.pk}")).to_contain_text("Vérifiée")
    screenshot(checker, "project-reuses")

    visit(page, f"/projects/{project.pk}/#reuses")
    submit(page, f"#reuse-{reuse.pk} button:has-text('Confirmer pour un an')")
    expect(page.locator(".message, [role=status]").first).to_be_visible()
    assert reuse.history.last().action == "confirmed"
    assert watcher.evaluate("window.stillTheSamePage") is True
    # Once the confirmation arrived, the watcher's section is what a fresh page shows.
    fresh = open_page(funder)
    visit(fresh, f"/projects/{project.pk}/")
    expected = fresh.locator("#commons-section").inner_text()
    expect(watcher.locator("#commons-section")).to_have_text(expected, use_inner_text=True)


def to_commons(project, owner, reviewers):
    for _gate in range(3):
        pass_gate(project, owner, reviewers)
    return project


def test_open_and_decide_a_renewal(project, owner, reviewer, reviewer2, open_page):
    at_commons = beside_the_browser(to_commons, project, owner, [reviewer, reviewer2])
    watcher = open_page(None)  # a visitor keeps the page open: the head follows the outcome
    visit(watcher, f"/projects/{at_commons.pk}/")
    wait_live(watcher)
    expect(watcher.locator(".project-head")).not_to_contain_text("Commun en danger")
    page = open_page(reviewer)
    visit(page, f"/projects/{at_commons.pk}/#renewal")
    expect(page.locator("#renewal [data-renewal]")).to_have_text("Renouvelé")
    submit(page, "#renewal button:has-text('Ouvrir une revue de renouvellement')")
    expect(page.locator("#renewal-form")).to_be_visible()
    for browser_page in (page, open_page(reviewer2, viewport=PHONE)):
        visit(browser_page, f"/projects/{at_commons.pk}/#renewal")
        choose(browser_page, "input[name='renewal-outcome'][value='at_risk']")
        browser_page.fill("#id_renewal-rationale", "Une seule personne maintient le code.")
        browser_page.fill("#id_renewal-recovery_plan", "Trouver une seconde équipe.")
        browser_page.fill("#id_renewal-recovery_due", "2099-06-30")
        submit(browser_page, "#renewal-form button[type=submit]")
    phone = browser_page
    expect(phone.locator("#renewal [data-renewal]")).to_have_text("En danger")
    expect(phone.locator(".project-head")).to_contain_text("Commun en danger")
    expect(watcher.locator(".project-head")).to_contain_text("Commun en danger")
    screenshot(phone, "phone-renewal")
    assert RenewalReview.objects.get().outcome == "at_risk"


@pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="the stage changes made in the test's thread reach the server via Redis",
)
def test_the_reuses_asked_for_follow_the_stage(project, owner, reviewer, reviewer2, open_page):
    """The reuse section says what the commons gate asks for while the project is at the
    pilot: an open page follows the stage changes that bring it there and take it back."""
    beside_the_browser(pass_gate, project, owner, [reviewer, reviewer2])
    watcher = open_page(None)
    visit(watcher, f"/projects/{project.pk}/")
    wait_live(watcher)
    asked = "Le passage à l'étape Commun en demande 1."
    expect(watcher.locator("#reuses")).not_to_contain_text(asked)
    beside_the_browser(pass_gate, project, owner, [reviewer, reviewer2])
    expect(watcher.locator("#reuses")).to_contain_text(asked)
    beside_the_browser(send_back, project, reviewer)
    expect(watcher.locator("#reuses")).not_to_contain_text(asked)


def send_back(project, by):
    project.refresh_from_db()
    workflow_services.send_back(by=by, project=project, rationale="À reprendre.")
