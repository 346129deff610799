"""The webhook pages and the exemptions page in a real browser, desktop and phone: a refused
address, then (a local receiver being admitted only in this process, not by the server's)
an endpoint registered through the service, its rotation and its disabling on the page,
each page scanned by axe-core."""

import pytest
from playwright.sync_api import expect

from webhooks.models import Endpoint
from webhooks.services import register_endpoint

from .browser_support import PHONE, assert_accessible, beside_the_browser, screenshot, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


@pytest.fixture(autouse=True)
def local(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_webhook_pages_register_rotate_and_disable(open_page, project, owner, viewport):
    page = open_page(owner, **({"viewport": viewport} if viewport else {}))
    suffix = "phone" if viewport else "desktop"
    page.goto(f"/account/webhooks/?project={project.pk}")
    assert_accessible(page)
    page.fill("#id_url", "ftp://example.org/hook")
    page.locator("input[name=event_types]").first.check()
    submit(page, "main form[method=post] button[type=submit]")
    expect(page.locator(".fr-alert--error").first).to_be_visible()
    assert not Endpoint.objects.exists()
    assert_accessible(page)
    screenshot(page, f"webhooks-refused-{suffix}")
    endpoint, _secret = beside_the_browser(
        register_endpoint,
        by=owner,
        url="http://127.0.0.1:9/hook",
        event_types=["comment.created"],
        project_id=project.pk,
    )
    page.goto("/account/webhooks/")
    expect(page.locator(".fr-table")).to_contain_text("127.0.0.1")
    assert_accessible(page)
    screenshot(page, f"webhooks-list-{suffix}")
    page.goto(endpoint.get_absolute_url())
    submit(page, "form:has(input[value=rotate]) button")
    expect(page.locator("#webhook-secret")).to_be_visible()
    expect(page.locator(".fr-alert--info")).to_contain_text("L'ancien secret signe encore")
    submit(page, "form:has(input[value=disable]) button")
    expect(page.locator(".fr-alert--warning")).to_contain_text("Désactivé le")
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert_accessible(page)
    screenshot(page, f"webhooks-detail-{suffix}")


def test_the_exemptions_page_on_a_desktop(open_page, project, owner):
    """The declaration itself is walked on a phone in test_browser_evidence.py."""
    page = open_page(owner)
    page.goto(f"/projects/{project.pk}/exemptions/")
    assert_accessible(page)
    submit(page, "#declare button")
    expect(page.locator("#declare .fr-alert--error")).to_be_visible()
    expect(page.locator("#exemptions-list")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "exemptions-refused-desktop")
