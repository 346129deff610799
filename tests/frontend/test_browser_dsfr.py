"""The State's design system in a real browser: its script runs under the strict content
security policy (the phone's menu opens), and the pages every public service links from its
footer pass axe in both languages, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from .browser_support import DESKTOP, PHONE, assert_accessible, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]

FOOTER_PAGES = {
    "/accessibilite/": ("Déclaration d'accessibilité", "Accessibility statement"),
    "/mentions-legales/": ("Mentions légales", "Legal notice"),
    "/donnees-personnelles/": ("Données personnelles", "Personal data"),
    "/plan-du-site/": ("Plan du site", "Site map"),
}


def watch_policy(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_footer_pages(open_page, viewport, locale):
    page = open_page(viewport=viewport, locale=locale)
    refused = watch_policy(page)
    french = locale == "fr-FR"
    for url, titles in FOOTER_PAGES.items():
        page.goto("/")
        page.locator(f"#footer a[href='{url}']").click()
        expect(page.locator("main h1")).to_have_text(titles[0 if french else 1])
        assert_accessible(page)
    page.goto("/accessibilite/")
    expect(page.locator("main")).to_contain_text("RGAA")
    expect(page.locator("main")).to_contain_text("axe-core")
    assert not refused, refused


def test_the_design_systems_script_runs_under_the_policy(open_page, owner):
    """On a phone the navigation sits behind the "Menu" button, opened by the DSFR's script;
    the account's links (sign out included) are copied into it."""
    phone = open_page(owner, viewport=PHONE)
    refused = watch_policy(phone)
    phone.goto("/space/")
    expect(phone.locator("#navigation")).to_be_hidden()
    phone.locator("#button-menu").click()
    expect(phone.locator("#modal-menu")).to_have_class("fr-header__menu fr-modal fr-modal--opened")
    expect(phone.locator("#navigation").get_by_role("link", name="Mon espace")).to_be_visible()
    expect(
        phone.locator("#modal-menu").get_by_role("button", name="Se déconnecter")
    ).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "phone-menu", full_page=False)
    assert not refused, refused


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_navigation_works_without_javascript(open_page, owner, viewport):
    """Without the script the "Menu" button could open nothing: the navigation and the
    account's links show in the page, on a phone as on a desktop."""
    page = open_page(owner, viewport=viewport, javascript=False)
    page.goto("/space/")
    expect(page.locator("#button-menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    screenshot(page, f"no-javascript-{'phone' if viewport == PHONE else 'desktop'}")
    page.locator("#navigation").get_by_role("link", name="Projets").click()
    expect(page.locator("main h1")).to_be_visible()
    assert page.url.endswith("/projects/")
