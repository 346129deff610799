"""The portfolio's openness figures: from each project's latest finished scan, only what
the person may read, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evidence import figures
from evidence.models import CheckResult, RepositoryScan
from projects.models import Project, Stage

from .conftest import at_stage

URL = "/api/portfolio/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def scanned(project, *, days=1, status="done", licence="MIT", outcomes=None):
    """A finished scan ``days`` ago with its results (as a worker stores them)."""
    when = timezone.now() - timedelta(days=days)
    scan = RepositoryScan.objects.create(
        project=project,
        url=project.repository_url,
        status=status,
        commit="a" * 40,
        requested_at=when,
        started_at=when,
        finished_at=when,
        refusal_code="" if status == "done" else "unreachable",
    )
    if status == "done":
        rows = {"licence": "pass" if licence else "fail", **(outcomes or {})}
        CheckResult.objects.bulk_create(
            CheckResult(
                scan=scan,
                check_code=code,
                outcome=outcome,
                value={"spdx": licence} if code == "licence" and licence else {},
            )
            for code, outcome in rows.items()
        )
    return scan


@pytest.fixture
def portfolio(make_project, owner):
    def make(title, stage, **fields):
        fields.setdefault("repository_url", f"https://forge.example.org/{title}")
        return at_stage(make_project(owner, title=title, **fields), stage)

    pilot = make("pilote", Stage.PILOT)
    commons = make("commun", Stage.COMMONS)
    hidden = make("discret", Stage.PILOT, visibility="restricted")
    early = make("prototype", Stage.PROTOTYPE)
    never = make("jamais", Stage.PILOT)
    make("sans-depot", Stage.PILOT, repository_url="")
    scanned(pilot, days=40, outcomes={"reuse": "fail"})  # older, replaced by the next
    scanned(pilot, days=2, outcomes={"reuse": "pass", "readme": "pass"})
    scanned(commons, days=45, licence="EUPL-1.2", outcomes={"reuse": "fail"})
    scanned(hidden, days=3, licence="GPL-3.0-or-later", outcomes={"reuse": "pass"})
    scanned(early, days=1, status="refused")
    # A scan under way does not count until it ends.
    RepositoryScan.objects.create(project=commons, url="x", status="running")
    return {"pilot": pilot, "commons": commons, "hidden": hidden, "early": early, "never": never}


def by_check(body):
    return {row["check"]: row for row in body["openness"]["checks"]}


def test_shares_licences_and_attention_for_a_visitor(api, portfolio):
    body = api.as_(None).get(URL).json()
    checks = by_check(body)
    # Pilot and commons projects a visitor reads: pilote, commun, jamais, sans-depot.
    assert checks["reuse"] | {"label": "x"} == {
        "check": "reuse",
        "label": "x",
        "projects": 4,
        "scanned": 2,
        "passed": 1,
        "failed": 1,
        "not_applicable": 0,
        "share": 0.5,
    }
    assert (checks["licence"]["passed"], checks["licence"]["share"]) == (2, 1.0)
    assert checks["ci"]["scanned"] == 0 and checks["ci"]["share"] is None
    assert body["openness"]["licences"] == [
        {"spdx": "EUPL-1.2", "count": 1},
        {"spdx": "MIT", "count": 1},
    ]
    attention = body["openness"]["attention"]
    assert [(p["title"], p["why"]) for p in attention["projects"]] == [
        ("commun", "old"),
        ("prototype", "failed"),
    ]
    assert attention["count"] == 2 and attention["never_scanned"] == 1


def test_a_curator_counts_the_restricted_project(api, portfolio, curator, stranger):
    assert by_check(api.as_(stranger).get(URL).json())["reuse"]["scanned"] == 2
    body = api.as_(curator).get(URL).json()
    assert by_check(body)["reuse"] == by_check(body)["reuse"] | {"scanned": 3, "passed": 2}
    assert {"spdx": "GPL-3.0-or-later", "count": 1} in body["openness"]["licences"]


def test_the_exports_carry_each_projects_latest_scan(api, portfolio):
    rows = {row["title"]: row for row in api.as_(None).get(URL + "export.json").json()["projects"]}
    assert rows["pilote"]["scan_status"] == "done"
    assert rows["pilote"]["licence_found"] == "MIT"
    assert rows["pilote"]["checks_passed"] == ["licence", "readme", "reuse"]
    assert rows["commun"]["checks_failed"] == ["reuse"]
    assert rows["prototype"]["scan_status"] == "refused"
    assert rows["jamais"] | {"scanned_at": 1} == rows["jamais"] | {
        "scan_status": "",
        "scanned_at": 1,
        "licence_found": "",
        "checks_passed": [],
    }
    assert "discret" not in rows
    csv = api.as_(None).get(URL + "export.csv").content.decode()
    header = csv.splitlines()[0].split(",")
    assert header[-5:] == [
        "scan_status",
        "scanned_at",
        "licence_found",
        "checks_passed",
        "checks_failed",
    ]
    assert "licence|readme|reuse" in csv


def test_the_queries_do_not_grow_with_the_projects(portfolio, make_project, owner):
    def count():
        projects = Project.objects.visible_to(AnonymousUser())
        with CaptureQueriesContext(connection) as captured:
            figures.openness(projects)
            figures.export_columns(projects)
        return len(captured)

    few = count()
    for n in range(6):
        project = at_stage(
            make_project(owner, title=f"p{n}", repository_url=f"https://f.example/{n}"),
            Stage.COMMONS,
        )
        scanned(project, days=n * 10, outcomes={"reuse": "pass"})
    assert count() == few


def test_the_dashboard_shows_the_openness_sections(client, portfolio):
    page = client.get("/portfolio/").content.decode()
    assert "Ouverture du code : projets pilotes et communs" in page
    assert "Licences en usage" in page and "EUPL-1.2" in page
    assert "Dépôts à analyser de nouveau" in page
    assert "1 projet avec un dépôt n'a jamais été analysé." in page
