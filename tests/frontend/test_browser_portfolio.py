"""The portfolio page in a real browser, at desktop and phone widths: the reuse map with
its accessible table beside it (below it on a phone), projects on hold, overdue conditions
and the lessons index, restricted projects only for their readers, and the accessibility
scan."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Stage
from tests.workflows.conftest import LESSON, add_verified_reuse, attest_all, verify_all
from workflows import lifecycle, services
from workflows.models import Gate

from .browser_support import DESKTOP, PHONE, beside_the_browser, screenshot, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference"),
]


def approve_with_a_condition(project, owner, member, reviewer):
    """Forty days ago, the prototype gate passed with a condition due ten days later: it is
    overdue today (the clock has not marked it missed yet)."""
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
        attest_all(project, owner)
        review = services.open_review(by=owner, project=project)
        verify_all(project, reviewer)
        due = (timezone.localdate() + timedelta(days=10)).isoformat()
        services.decide(
            by=reviewer,
            review=review,
            verdict="approve_with_conditions",
            rationale="Oui, à condition.",
            conditions=[{"text": "Publier le guide.", "owner": member.pk, "due_on": due}],
        )


def set_up(project, restricted_project, make_project, owner, member, reviewer, curator):
    add_verified_reuse(project, reviewer)  # Finistère (29)
    approve_with_a_condition(project, owner, member, reviewer)
    revisit = (timezone.localdate() + timedelta(days=30)).isoformat()
    lifecycle.hold(
        by=curator, project=restricted_project, reason="Attendre le budget.", revisit_on=revisit
    )
    composted = make_project(owner, title="Atelier mobile")
    lifecycle.compost(by=owner, project=composted, **LESSON)


def check_map_and_table(page, *, side_by_side: bool) -> None:
    section = page.locator("#reuses-by-territory")
    shape = section.locator("svg path[data-code='29']")
    expect(shape).to_have_class("shade-4")
    table = section.get_by_role("region", name="Tableau : réutilisations par territoire")
    expect(table.locator("tbody th[scope=row]")).to_have_text(["Finistère (29)"])
    expect(table.locator("tbody td").first).to_have_text("1")
    drawn = section.locator("figure.reuse-map").bounding_box()
    written = table.bounding_box()
    if side_by_side:
        assert written["x"] >= drawn["x"] + drawn["width"] - 1, (drawn, written)
        assert written["y"] < drawn["y"] + drawn["height"]
    else:
        assert written["y"] >= drawn["y"] + drawn["height"] - 1, (drawn, written)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_portfolio_page(
    open_page,
    viewport,
    project,
    restricted_project,
    make_project,
    owner,
    member,
    reviewer,
    curator,
    funder,
):
    beside_the_browser(
        set_up, project, restricted_project, make_project, owner, member, reviewer, curator
    )
    side_by_side = viewport is DESKTOP
    name = "desktop" if side_by_side else "phone"

    reader = open_page(funder, viewport=viewport)
    visit(reader, "/portfolio/")
    check_map_and_table(reader, side_by_side=side_by_side)
    figures = reader.locator("#holds-and-conditions")
    expect(figures.locator(".stat").first).to_contain_text("1 projets en pause")
    expect(figures.locator(".stat", has_text="conditions en retard")).to_contain_text("1")
    held = figures.get_by_role("region", name="Tableau : projets en pause")
    expect(held.locator("tbody th")).to_have_text(["Projet discret"])
    overdue = figures.get_by_role("region", name="Tableau : projets aux conditions en retard")
    expect(overdue.locator("tbody tr")).to_have_count(1)
    expect(overdue.locator("tbody th")).to_have_text([project.title])
    lessons = reader.locator("#lessons-index")
    expect(lessons).to_contain_text("1 leçon publiée par les projets de ce portefeuille.")
    screenshot(reader, f"portfolio-lifecycle-{name}")

    visitor = open_page(viewport=viewport)
    visit(visitor, "/portfolio/")
    check_map_and_table(visitor, side_by_side=side_by_side)
    expect(visitor.locator("main")).not_to_contain_text("Projet discret")
    expect(visitor.locator("#holds-and-conditions .stat").first).to_contain_text("0")
    expect(visitor.locator("#holds-and-conditions table")).to_have_count(1)  # the conditions
    with visitor.expect_navigation():
        visitor.locator("#lessons-index").get_by_role(
            "link", name="Voir l'index des leçons"
        ).click()
    assert visitor.url.endswith("/lessons/")
    expect(visitor.locator("main")).to_contain_text("Atelier mobile")


DRAWN = "(id) => Boolean(window.Chart.getChart(document.querySelector(`canvas[data-chart=${id}]`)))"


def test_the_charts_are_drawn_as_they_come_into_view(open_page, project, funder):
    reader = open_page(funder, viewport=DESKTOP)
    visit(reader, "/portfolio/")
    canvases = reader.locator("canvas[data-chart]")
    first, last = (canvases.nth(n).get_attribute("data-chart") for n in (0, -1))
    assert not reader.evaluate(DRAWN, last), "a chart far below the screen waits"
    canvases.last.scroll_into_view_if_needed()
    reader.wait_for_function(DRAWN, arg=last)
    canvases.first.scroll_into_view_if_needed()
    reader.wait_for_function(DRAWN, arg=first)
