"""GET /api/portfolio/ and its exports: who sees what, filters, bad input, query counts."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo import scale as demo_scale
from projects.models import Project, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """Test databases reuse ids after a rollback: never serve another test's figures."""
    cache.clear()


User = get_user_model()

URL = "/api/portfolio/"
CSV = "/api/portfolio/export.csv"
JSON = "/api/portfolio/export.json"


@pytest.fixture
def projects(project, restricted_project, make_project, owner, stranger):
    make_project(
        owner, title="Tiers-lieu de Guéret", origin="NEC 2018 Nantes", themes=["inclusion"]
    )
    make_project(stranger, title="Bus numérique", territories=["15"])
    return project, restricted_project


def total(api, user, query=""):
    response = api.as_(user).get(URL + query)
    assert response.status_code == 200, response.json()
    return response.json()["total"]


def test_each_person_counts_what_they_may_read(
    api, projects, owner, member, stranger, reviewer, funder, curator
):
    public = Project.objects.filter(visibility=Visibility.PUBLIC).count()
    assert public == 3
    assert total(api, None) == public
    assert total(api, stranger) == public
    for person in (owner, member, reviewer, funder, curator):
        assert total(api, person) == public + 1


def test_figures_have_every_section(api, projects, funder):
    body = api.as_(funder).get(URL).json()
    assert set(body) == {
        "total",
        "stages",
        "funnel",
        "time_in_stage",
        "transitions_per_month",
        "reviews",
        "compliance",
        "themes",
        "territories",
        "origins",
        "dormant",
        "followed",
        "reuses",
        "commons",
        "holds",
        "conditions",
        "lessons",
        "openness",
    }
    assert {row["stage"]: row["count"] for row in body["stages"]}["idea"] == 4
    assert body["origins"]["rows"] == [{"origin": "NEC 2018 Nantes", "count": 1}]


def test_followed_lists_the_viewers_projects(api, projects, member, stranger):
    restricted = projects[1]
    followed = api.as_(member).get(URL).json()["followed"]
    assert {row["id"] for row in followed} == {projects[0].pk, restricted.pk}
    assert [row["title"] for row in api.as_(stranger).get(URL).json()["followed"]] == [
        "Bus numérique"
    ]
    assert api.as_(None).get(URL).json()["followed"] == []


def test_filters_of_the_project_list(api, projects, funder):
    assert total(api, funder, "?theme=inclusion") == 1
    assert total(api, funder, "?theme=inclusion&theme=open-data") == 1
    assert total(api, funder, "?territory=15") == 1
    assert total(api, funder, "?origin=nantes") == 1
    assert total(api, funder, "?stage=pilot") == 0
    assert total(api, funder, "?q=discret") == 1
    assert total(api, funder, "?stage=&theme=&origin=") == 4
    assert total(api, funder, "?since=2000-01-01&until=2000-12-31") == 0


def test_mine_counts_only_the_viewers_team_projects(api, projects, member, funder):
    assert total(api, member, "?mine=true") == 2
    assert total(api, funder, "?mine=true") == 0
    assert total(api, None, "?mine=true") == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?stage=launched", "stage"),
        ("?theme=astrologie", "theme"),
        ("?territory=999", "territory"),
        ("?origin=" + "x" * 500, "origin"),
        ("?since=hier", "since"),
        ("?since=2024-05-01&until=2024-01-01", "until"),
        ("?since=1850-01-01", "since"),
        ("?until=9999-12-31", "until"),
        ("?stale_days=0", "stale_days"),
        ("?stale_days=100000000000000000000", "stale_days"),
        ("?stale_days=beaucoup", "stale_days"),
        ("?mine=peut-etre", "mine"),
    ],
)
@pytest.mark.parametrize("url", [URL, CSV, JSON])
def test_bad_filters_answer_400_with_the_field(api, projects, funder, url, query, field):
    response = api.as_(funder).get(url + query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert field in body["errors"]


def test_many_repeated_values_are_capped(api, projects, funder):
    assert total(api, funder, "?" + "&".join(["theme=inclusion"] * 900)) == 1
    too_many = api.as_(funder).get(URL + "?" + "&".join(["theme=inclusion"] * 5000))
    assert too_many.status_code == 400


def test_csv_export_never_leaks_a_restricted_project(api, projects, stranger, member):
    for person in (None, stranger):
        response = api.as_(person).get(CSV)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 3
        assert "Projet discret" not in response.content.decode()
    rows = list(csv.DictReader(io.StringIO(api.as_(member).get(CSV).content.decode())))
    assert {row["title"] for row in rows} >= {"Projet discret"}
    assert set(rows[0]) >= {"stage", "created_at", "reached_pilot_at", "compliance_ethics"}


def test_json_export_follows_visibility_and_filters(api, projects, funder):
    body = api.as_(None).get(JSON).json()
    assert body["count"] == len(body["projects"]) == 3
    assert all(row["visibility"] == "public" for row in body["projects"])
    body = api.as_(funder).get(JSON + "?territory=15").json()
    assert [row["title"] for row in body["projects"]] == ["Bus numérique"]
    assert body["projects"][0]["territories"] == ["15"]
    # A fresh checklist: nothing verified yet.
    assert body["projects"][0]["compliance_general_interest"] == 0


def test_csv_cells_cannot_become_formulas(api, owner):
    from workflows import services

    services.propose_project(by=owner, title='=HYPERLINK("http://x")', summary="s")
    content = api.as_(owner).get(CSV).content.decode()
    assert "'=HYPERLINK" in content


def queries(api, user, url):
    user = user and User.objects.get(pk=user.pk)  # fresh, as in a real request: no perm cache
    with CaptureQueriesContext(connection) as captured:
        response = api.as_(user).get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [URL, JSON, CSV, URL + "?theme=inclusion&since=2020-01-01"])
@pytest.mark.parametrize("person", ["funder", "stranger", None])
def test_query_count_does_not_grow_with_projects(api, request, reviewer, reviewer2, url, person):
    user = request.getfixturevalue(person) if person else None
    demo_scale.generate(5, reviewers=[reviewer, reviewer2], seed=1)
    few = queries(api, user, url)
    demo_scale.generate(40, reviewers=[reviewer, reviewer2], seed=2)
    assert queries(api, user, url) == few
