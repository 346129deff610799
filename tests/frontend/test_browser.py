"""The pages in a real browser (Chromium through Playwright) against a real Daphne: the
journey of a project from proposal to commons, live comments between two people, refusals,
and a phone-sized screen. Every page visited is scanned with axe-core."""

import pytest

from .browser_support import assert_accessible, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(chromium, daphne_url):
    """``open_page(user)`` opens a fresh browser context (signed in when a user is given)."""
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


def test_visitor_pages(open_page, proposed):
    page = open_page()
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "home")
    page.goto(f"/projects/{proposed.pk}/")
    assert_accessible(page)
    screenshot(page, "project")
