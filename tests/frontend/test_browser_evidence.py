"""Repository evidence in a real browser: the scan button and its status live on the page
while a worker runs the scan, the one-click verify from a passing result, and the note
that an override of a failing required check asks for.

The worker runs in this process beside the browser, on a real repository served over HTTP
on 127.0.0.1; its events reach the server's sockets through Redis (the live part needs
``REDIS_URL``, as several processes do in production)."""

import itertools

import pytest
from django.conf import settings
from playwright.sync_api import expect

from evidence.models import CheckMapping, Override
from evidence.services import scan_repository
from tests.evidence.conftest import (  # noqa: F401 (fixtures)
    MIT,
    local_repositories,
    new_repo,
    publish,
    server,
)
from workflows import gates
from workflows import services as workflow_services
from workflows.models import Criterion, ItemStatus

from .browser_support import PHONE, assert_accessible, beside_the_browser, screenshot, submit

NAMES = itertools.count()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


@pytest.fixture
def kit(make_project, owner, new_repo, server):  # noqa: F811
    name = f"browser-kit-{next(NAMES)}"
    url = publish(new_repo, server, name, {"LICENSE": MIT, "kit.py": "print(1)\n"})
    criterion = Criterion.objects.get(code="proto-open-intent")
    CheckMapping.objects.create(criterion=criterion, check_code="licence")
    CheckMapping.objects.create(criterion=criterion, check_code="reuse", position=1)
    CheckMapping.objects.create(
        criterion=Criterion.objects.get(code="proto-problem"), check_code="licence"
    )
    return make_project(owner, repository_url=url)


def item(project, code):
    return gates.checklist_for(project).get(criterion__code=code)


@pytest.mark.skipif(not settings.REDIS_URL, reason="the worker's events cross processes via Redis")
def test_the_scan_button_and_its_status_live(open_page, kit, owner, reviewer, run_tasks):
    team = open_page(owner)
    team.goto(f"/projects/{kit.pk}/")
    expect(team.locator("#project")).to_have_attribute("data-live", "connected")
    watcher = open_page(reviewer)
    watcher.goto(f"/projects/{kit.pk}/")
    expect(watcher.locator("#project")).to_have_attribute("data-live", "connected")
    card = watcher.locator("#repository-scan")
    expect(card).to_contain_text("pas encore été analysé")
    submit(team, "#repository-scan button")
    expect(team.locator("#repository-scan")).to_contain_text("en attente")
    expect(team.locator("#repository-scan button")).to_be_disabled()
    expect(card).to_contain_text("en attente")  # the other browser, without reloading
    screenshot(team, "evidence-scan-queued")
    assert beside_the_browser(run_tasks) == 1
    expect(card).to_contain_text("Dernière analyse au commit")
    expect(card.locator("button")).to_be_enabled()
    # The evidence beside the checklist came with it.
    expect(watcher.locator(f"#item-{item(kit, 'proto-open-intent').pk}")).to_contain_text(
        "Licence MIT trouvée dans LICENSE"
    )
    assert_accessible(watcher)
    screenshot(watcher, "evidence-scan-done")


def test_one_click_verify_and_the_override_note(open_page, kit, owner, reviewer):
    beside_the_browser(scan_repository, project_id=kit.pk)
    open_intent = item(kit, "proto-open-intent")
    beside_the_browser(
        workflow_services.attest_item, by=owner, item=open_intent, evidence_text="Licence MIT."
    )
    page = open_page(reviewer)
    page.goto(f"/projects/{kit.pk}/")
    problem = page.locator(f"#item-{item(kit, 'proto-problem').pk}")
    blocked = page.locator(f"#item-{open_intent.pk}")
    for locator in (problem, blocked):
        summary = locator.locator("xpath=ancestor::details[1]/summary")
        if locator.is_hidden():
            summary.click()
    expect(blocked).to_contain_text("Bloquant")
    expect(blocked).to_contain_text("Conformité REUSE")
    assert_accessible(page)
    screenshot(page, "evidence-checklist-reviewer")
    # One click from the passing licence result.
    submit(page, f"#item-{item(kit, 'proto-problem').pk} .quick-verify button")
    assert item(kit, "proto-problem").status == ItemStatus.VERIFIED
    # The failing REUSE check: verifying asks for a note, then keeps it.
    blocked = page.locator(f"#item-{open_intent.pk}")
    if blocked.is_hidden():
        blocked.locator("xpath=ancestor::details[1]/summary").click()
    submit(page, f"#item-{open_intent.pk} form[action$='/verify/'] button")
    expect(page.locator(f"#item-{open_intent.pk}")).to_contain_text(
        "une note est obligatoire pour passer outre"
    )
    assert item(kit, "proto-open-intent").status == ItemStatus.ATTESTED
    page.fill(f"#id_verify-{open_intent.pk}-note", "Les en-têtes REUSE arrivent ; licence claire.")
    submit(page, f"#item-{open_intent.pk} form[action$='/verify/'] button")
    assert item(kit, "proto-open-intent").status == ItemStatus.VERIFIED
    assert Override.objects.get().note.startswith("Les en-têtes REUSE")
    done = page.locator(f"#item-{open_intent.pk}")
    if done.is_hidden():
        done.locator("xpath=ancestor::details[1]/summary").click()
    expect(done).to_contain_text("Vérification automatique passée outre")
    screenshot(page, "evidence-override")
    phone = open_page(owner, viewport=PHONE)
    phone.goto(f"/projects/{kit.pk}/exemptions/")
    phone.select_option("#id_check", "reuse")
    phone.fill("#id_reason", "Fichiers générés par l'outil de build.")
    submit(phone, "#declare button")
    expect(phone.locator(".exemptions")).to_contain_text("Fichiers générés")
    assert_accessible(phone)
    screenshot(phone, "evidence-exemptions-phone")
