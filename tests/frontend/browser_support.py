"""What the browser tests share: signing in, the accessibility scan, screenshots."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connections
from playwright.sync_api import expect

from projects.models import Stage
from tests.conftest import PASSWORD
from tests.workflows.conftest import add_verified_reuse
from workflows import services as workflow_services
from workflows.models import ChecklistItem

ROOT = Path(__file__).resolve().parents[2]
# A test run leaves the tree as it found it: screenshots go to the build folder, and
# `make screenshots` points SCREENSHOTS_DIR at docs/screenshots to refresh the README's.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "build/screenshots")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()


def assert_accessible(page) -> None:
    """axe-core (served by the app itself) finds no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    serious = [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}\n{json.dumps(serious, indent=2)}"


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def beside_the_browser(function, /, *args, **kwargs):
    """Run a service in another thread: Playwright keeps an event loop in the test's thread,
    where the broadcast after commit (``async_to_sync``) may not run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(function, *args, **kwargs).result()
        finally:
            pool.submit(connections.close_all).result()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def visit(page, url: str, *, shot: str | None = None) -> None:
    page.goto(url)
    assert_accessible(page)
    if shot:
        screenshot(page, shot)


def wait_live(page) -> None:
    expect(page.locator("#project")).to_have_attribute("data-live", "connected")


def choose(page, selector: str) -> None:
    """Tick a radio button or a checkbox as a person does: the design system draws the
    control in its label, which takes the click."""
    control = page.locator(selector)
    page.locator(f"label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


# Whether the form of ``selector`` posts in the background: a project page's workflow and
# thread forms do while its socket is up (live.js), and the page stays where it is.
POSTS_LIVE = """(button) => {
  const form = button.closest("form");
  const root = document.getElementById("project");
  const live = root && root.dataset.live === "connected";
  return !!(form && form.hasAttribute("data-live-form") && live);
}"""


def submit(page, selector: str) -> str | None:
    """Send a form by its button, as a person does, and wait for the server's answer: the
    next page, or for a form posted in the background the answer's message (returned), once
    the page has shown it."""
    if not page.locator(selector).first.evaluate(POSTS_LIVE):
        with page.expect_navigation():
            page.click(selector)
        return None
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.click(selector)
    response = answer.value
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None  # a refused input: the form comes back with its errors
    message = response.json()["message"]
    expect(page.locator("#live-status")).to_have_text(message)
    return message


def required_items(project) -> list[ChecklistItem]:
    """The required items of the next gate that people attest and verify (a computed one,
    the commons gate's reuses, follows the verified reuses instead)."""
    return list(
        ChecklistItem.objects.filter(
            project=project, required=True, criterion__gate__stage=project.next_stage
        ).filter(criterion__computed="")
    )


def meet_computed_criteria(project, reviewer) -> None:
    """Before the commons gate, an outside organisation's reuse verified by a reviewer."""
    if project.next_stage == Stage.COMMONS:
        add_verified_reuse(project, reviewer)


def answer_and_verify(project, owner, reviewer) -> None:
    meet_computed_criteria(project, reviewer)
    for item in required_items(project):
        workflow_services.attest_item(
            by=owner,
            item=item,
            evidence_url="https://forge.example.org/kit",
            evidence_text="Publié et documenté.",
        )
        workflow_services.verify_item(by=reviewer, item=item)


def approve(page, project, rationale: str) -> None:
    visit(page, f"/projects/{project.pk}/")
    choose(page, "#id_decide-verdict_0")
    page.fill("#id_decide-rationale", rationale)
    submit(page, "#decide-form button[type=submit]")
