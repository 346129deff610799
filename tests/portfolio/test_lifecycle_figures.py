"""Projects on hold, overdue conditions and lessons in the portfolio figures, the API and
the exports: counted only for those who may read the project."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from portfolio import figures as portfolio
from projects.models import Stage
from workflows import lifecycle, services
from workflows.models import Gate

from ..workflows.conftest import LESSON, attest_all, verify_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """Test databases reuse ids after a rollback: never serve another test's figures."""
    cache.clear()


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def approve_with_conditions(project, owner, member, reviewer, *days):
    """The prototype gate passed (quorum 1) with one condition per due date."""
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    services.decide(
        by=reviewer,
        review=review,
        verdict="approve_with_conditions",
        rationale="Oui, à condition.",
        conditions=[
            {"text": f"Condition à {d} jours.", "owner": member.pk, "due_on": in_days(d)}
            for d in days
        ],
    )


@pytest.fixture
def lifecycle_portfolio(
    project, restricted_project, make_project, owner, member, reviewer, curator
):
    """In 20 days: the public project and the restricted one each have a condition overdue
    (due in 10 days) and one open (due in 60); the restricted one is on hold; a public and
    a restricted project are composted with their lessons."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    for each in (project, restricted_project):
        approve_with_conditions(each, owner, member, reviewer, 10, 60)
    lifecycle.hold(
        by=curator, project=restricted_project, reason="Attendre le budget.", revisit_on=in_days(5)
    )
    composted = make_project(owner, title="Atelier mobile")
    lifecycle.compost(by=owner, project=composted, **LESSON)
    hidden = make_project(owner, members=[member], visibility="restricted", title="Atelier discret")
    lifecycle.compost(by=owner, project=hidden, **LESSON)
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        yield {"public": project, "restricted": restricted_project, "composted": composted}


def test_a_reader_of_everything_counts_holds_conditions_and_lessons(lifecycle_portfolio, funder):
    found = portfolio.figures(funder, portfolio.Filters())
    restricted = lifecycle_portfolio["restricted"]
    assert {k: v for k, v in found["holds"].items() if k != "projects"} == {
        "count": 1,
        "revisit_due": 1,  # its revisit date has come
        "proposed": 0,
    }
    assert [(row["id"], row["stage"]) for row in found["holds"]["projects"]] == [
        (restricted.pk, "prototype")
    ]
    conditions = found["conditions"]
    assert (conditions["open"], conditions["overdue"], conditions["met"]) == (2, 2, 0)
    assert conditions["projects_overdue"] == 2
    assert {row["id"] for row in conditions["projects"]} == {
        lifecycle_portfolio["public"].pk,
        restricted.pk,
    }
    assert all(row["overdue"] == 1 for row in conditions["projects"])
    assert found["lessons"]["count"] == 2
    assert {row["title"] for row in found["lessons"]["latest"]} == {
        "Atelier mobile",
        "Atelier discret",
    }


@pytest.mark.parametrize("person", ["stranger", None])
def test_a_restricted_project_never_counts_for_who_cannot_read_it(
    lifecycle_portfolio, request, person
):
    user = request.getfixturevalue(person) if person else AnonymousUser()
    found = portfolio.figures(user, portfolio.Filters())
    assert found["holds"] == {"count": 0, "revisit_due": 0, "proposed": 0, "projects": []}
    assert (found["conditions"]["open"], found["conditions"]["overdue"]) == (1, 1)
    assert [row["id"] for row in found["conditions"]["projects"]] == [
        lifecycle_portfolio["public"].pk
    ]
    assert found["lessons"]["count"] == 1
    assert [row["title"] for row in found["lessons"]["latest"]] == ["Atelier mobile"]
    rows = portfolio.export_rows(user, portfolio.Filters())
    assert lifecycle_portfolio["restricted"].pk not in {row["id"] for row in rows}
    assert sum(row["lessons"] for row in rows) == 1


def test_a_missed_condition_stays_overdue_and_a_met_one_leaves(lifecycle_portfolio, reviewer):
    from workflows import reminders

    assert reminders.miss_conditions.call(period="test") == 2
    cache.clear()
    public = lifecycle_portfolio["public"]
    found = portfolio.figures(reviewer, portfolio.Filters())
    assert (found["conditions"]["open"], found["conditions"]["overdue"]) == (2, 2)
    still_open = public.conditions.get(status="open")
    lifecycle.meet_condition(by=reviewer, condition=still_open, note="Fait.")
    found = portfolio.figures(reviewer, portfolio.Filters())  # the event renews the cache
    assert (found["conditions"]["open"], found["conditions"]["met"]) == (1, 1)


def test_a_filter_narrows_the_new_figures(lifecycle_portfolio, funder):
    from projects.models import Project

    selection = Project.objects.filter(pk=lifecycle_portfolio["public"].pk)
    found = portfolio.figures(funder, portfolio.Filters(selection=selection))
    assert found["holds"]["count"] == 0
    assert found["conditions"]["overdue"] == 1
    assert found["lessons"]["count"] == 0


def test_export_rows_carry_the_new_columns(lifecycle_portfolio, member):
    rows = {row["id"]: row for row in portfolio.export_rows(member, portfolio.Filters())}
    held = rows[lifecycle_portfolio["restricted"].pk]
    assert (held["on_hold"], held["hold_revisit_on"]) == (
        True,
        timezone.localdate() - timedelta(days=15),
    )
    assert (held["conditions_open"], held["conditions_overdue"]) == (1, 1)
    public = rows[lifecycle_portfolio["public"].pk]
    assert (public["on_hold"], public["hold_revisit_on"], public["lessons"]) == (False, None, 0)
    assert rows[lifecycle_portfolio["composted"].pk]["lessons"] == 1
    assert (public["renewal_status"], public["renewal_due"], public["renewal_due_soon"]) == (
        "",
        None,
        False,
    )


def test_api_and_both_exports(api, lifecycle_portfolio, stranger, member):
    body = api.as_(stranger).get("/api/portfolio/").json()
    assert body["holds"]["count"] == 0
    assert body["conditions"]["overdue"] == 1
    assert body["lessons"]["count"] == 1
    body = api.as_(member).get("/api/portfolio/").json()
    assert body["holds"]["projects"][0]["revisit_on"] == in_days(-15)
    assert body["conditions"]["overdue"] == 2

    exported = api.as_(member).get("/api/portfolio/export.json").json()["projects"]
    held = next(row for row in exported if row["id"] == lifecycle_portfolio["restricted"].pk)
    assert (held["on_hold"], held["conditions_overdue"]) == (True, 1)

    content = api.as_(member).get("/api/portfolio/export.csv").content.decode()
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(content))}
    held = rows[lifecycle_portfolio["restricted"].pk]
    assert (held["on_hold"], held["hold_revisit_on"], held["conditions_overdue"]) == (
        "true",
        in_days(-15),
        "1",
    )
    french = api.as_(member).get("/api/portfolio/export.csv?dialect=excel-fr").content
    rows = list(csv.DictReader(io.StringIO(french.decode("utf-8-sig")), delimiter=";"))
    assert {row["on_hold"] for row in rows} == {"oui", "non"}

    hidden = api.as_(stranger).get("/api/portfolio/export.csv").content.decode()
    assert "Projet discret" not in hidden
    assert "Atelier discret" not in hidden


def test_the_page_shows_holds_conditions_and_the_lessons_index(
    client, lifecycle_portfolio, stranger, member
):
    client.force_login(member)
    page = client.get("/portfolio/").content.decode()
    assert 'id="holds-and-conditions"' in page
    assert "<caption>Projets en pause</caption>" in page
    assert "<caption>Projets aux conditions en retard</caption>" in page
    restricted = lifecycle_portfolio["restricted"]
    assert f'href="/projects/{restricted.pk}/#hold">Projet discret</a>' in page
    assert "2 leçons publiées par les projets de ce portefeuille." in page
    assert 'href="/lessons/"' in page

    client.force_login(stranger)
    page = client.get("/portfolio/").content.decode()
    assert "Projet discret" not in page
    assert "Atelier discret" not in page
    assert "<caption>Projets en pause</caption>" not in page  # nothing on hold they may read
    assert "1 leçon publiée par les projets de ce portefeuille." in page

    client.cookies["django_language"] = "en"
    english = client.get("/portfolio/").content.decode()
    assert "Holds and gate conditions" in english
    assert "See the lessons index" in english


def test_the_queries_do_not_grow_with_holds_conditions_and_lessons(
    project, make_project, owner, member, reviewer, curator, funder
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        cache.clear()
        person = type(funder).objects.get(pk=funder.pk)  # fresh: no permission cache
        period = portfolio.Filters(since=timezone.localdate())
        with CaptureQueriesContext(connection) as captured:
            portfolio.figures(person, period)
            portfolio.export_rows(person, period)
        return len(captured.captured_queries)

    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    approve_with_conditions(project, owner, member, reviewer, 10, 60)

    def more(n):
        held = make_project(owner, title=f"En pause {n}")
        lifecycle.hold(by=curator, project=held, reason="Attendre.", revisit_on=in_days(5))
        composted = make_project(owner, title=f"Composté {n}")
        lifecycle.compost(by=owner, project=composted, **LESSON)

    more(0)
    few = queries()
    for n in range(1, 4):
        more(n)
    assert queries() == few
