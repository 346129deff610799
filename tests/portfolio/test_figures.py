"""The portfolio figures against counts computed independently, row by row, in Python."""

import datetime
import itertools
import statistics
from collections import Counter, defaultdict

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo import scale as demo_scale
from portfolio import figures as portfolio
from projects import services
from projects.models import PATH, Follow, Membership, Project, Stage, Visibility
from workflows import services as workflow_services
from workflows.models import ChecklistItem, GateReview, ItemStatus, Principle, StageTransition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """Test databases reuse ids after a rollback: never serve another test's figures."""
    cache.clear()


@pytest.fixture
def portfolio_rows(reviewer, reviewer2):
    demo_scale.generate(60, reviewers=[reviewer, reviewer2], seed=7)


def visible(user):
    return list(Project.objects.visible_to(user))


def days(seconds: float) -> float:
    return round(seconds / 86400, 1)


def spread(values: list[float]) -> dict:
    """Quartiles interpolated like percentile_cont (R type 7, "inclusive")."""
    if not values:
        return {"count": 0, "p25": None, "median": None, "p75": None}
    if len(values) == 1:
        p25 = median = p75 = values[0]
    else:
        p25, median, p75 = statistics.quantiles(values, n=4, method="inclusive")
    return {"count": len(values), "p25": days(p25), "median": days(median), "p75": days(p75)}


def close(actual: dict, expected: dict) -> bool:
    return actual["count"] == expected["count"] and all(
        (actual[k] is None and expected[k] is None)
        or actual[k] == pytest.approx(expected[k], abs=0.11)
        for k in ("p25", "median", "p75")
    )


def test_counts_funnel_and_breakdowns(portfolio_rows, funder):
    projects = visible(funder)
    ids = {p.pk for p in projects}
    result = portfolio.figures(funder, portfolio.Filters())

    assert result["total"] == len(projects) == 60
    stages = Counter(p.stage for p in projects)
    assert {row["stage"]: row["count"] for row in result["stages"]} == {
        stage: stages.get(stage, 0) for stage in Stage.values
    }
    assert len({row["stage"] for row in result["stages"]}) == 5

    reached = defaultdict(set)
    for t in StageTransition.objects.filter(project__in=ids):
        reached[t.to_stage].add(t.project_id)
    funnel = {row["stage"]: row for row in result["funnel"]}
    assert funnel["idea"]["reached"] == len(projects)
    for before, stage in itertools.pairwise(PATH):
        assert funnel[stage]["reached"] == len(reached[stage])
        before_count = len(projects) if before == Stage.IDEA else len(reached[before])
        assert funnel[stage]["conversion"] == pytest.approx(
            len(reached[stage]) / before_count, abs=1e-4
        )

    themes = Counter(slug for p in projects for slug in p.themes.values_list("slug", flat=True))
    assert {row["slug"]: row["count"] for row in result["themes"]} == dict(themes)
    territories = Counter(c for p in projects for c in p.territories.values_list("code", flat=True))
    top = sorted(territories.items(), key=lambda pair: (-pair[1], pair[0]))
    assert [(row["code"], row["count"]) for row in result["territories"]["rows"]] == top[
        : portfolio.BREAKDOWN_ROWS
    ]
    assert result["territories"]["distinct"] == len(territories)
    origins = Counter(p.origin for p in projects if p.origin)
    assert {row["origin"]: row["count"] for row in result["origins"]["rows"]} == dict(origins)
    assert result["origins"]["distinct"] == len(origins)


def test_time_in_stage_and_monthly_transitions(portfolio_rows, curator):
    projects = {p.pk: p for p in visible(curator)}
    stays = defaultdict(list)
    months = defaultdict(Counter)
    by_project = defaultdict(list)
    today = timezone.localdate()
    current = today.year * 12 + today.month - 1
    shown = {f"{(current - k) // 12}-{(current - k) % 12 + 1:02d}" for k in range(36)}
    for t in StageTransition.objects.filter(project__in=projects).order_by("at", "id"):
        by_project[t.project_id].append(t)
        key = timezone.localtime(t.at).strftime("%Y-%m")
        if key in shown:
            months[key][t.to_stage if t.name == "advance" else t.name] += 1
    for pk, moves in by_project.items():
        start = projects[pk].created_at
        for t in moves:
            stays[t.from_stage].append((t.at - start).total_seconds())
            start = t.at

    result = portfolio.figures(curator, portfolio.Filters())
    for row in result["time_in_stage"]:
        assert close(row, spread(sorted(stays[row["stage"]]))), row["stage"]
    assert [row["month"] for row in result["transitions_per_month"]] == sorted(months)
    for row in result["transitions_per_month"]:
        assert {k: v for k, v in row.items() if k != "month" and v} == dict(months[row["month"]])


def test_reviews_and_compliance(portfolio_rows, reviewer):
    ids = {p.pk for p in visible(reviewer)}
    reviews = list(GateReview.objects.filter(project__in=ids).select_related("gate"))
    result = portfolio.figures(reviewer, portfolio.Filters())
    for row in result["reviews"]:
        mine = [r for r in reviews if r.gate.stage == row["gate"]]
        assert row["outcomes"] == {
            status: sum(r.status == status for r in mine) for status in GateReview.Status.values
        }
        waits = sorted(
            (r.closed_at - r.opened_at).total_seconds()
            for r in mine
            if r.status in portfolio.DECIDED
        )
        assert close(row["decision_days"], spread(waits))
    assert sum(sum(row["outcomes"].values()) for row in result["reviews"]) == len(reviews) > 0

    items = ChecklistItem.objects.filter(project__in=ids).select_related("project", "criterion")
    cells = defaultdict(lambda: [0, 0])
    for item in items:
        cell = cells[(item.project.stage, item.criterion.principle)]
        cell[1] += 1
        cell[0] += item.status == ItemStatus.VERIFIED or (
            item.status == ItemStatus.NOT_APPLICABLE and item.na_accepted
        )
    assert len(result["compliance"]) == len(Stage.values) * len(Principle.values)
    for row in result["compliance"]:
        verified, total = cells[(row["stage"], row["principle"])]
        assert (row["verified"], row["total"]) == (verified, total)
        assert row["share"] == (pytest.approx(verified / total, abs=1e-4) if total else None)


def test_dormant_and_followed(portfolio_rows, owner, make_project):
    fresh = make_project(owner, title="Tout frais")
    member_of = Membership.objects.filter(user__username__startswith="equipe-").first()
    person = member_of.user
    Follow.objects.create(project=fresh, user=person)
    cutoff = timezone.now() - datetime.timedelta(days=90)
    dormant = [
        p
        for p in visible(person)
        if p.stage in (Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT) and p.stage_changed_at < cutoff
    ]
    result = portfolio.figures(person, portfolio.Filters(stale_days=90))
    assert result["dormant"]["count"] == len(dormant)
    oldest = sorted(dormant, key=lambda p: (p.stage_changed_at, p.pk))[: portfolio.LISTED]
    assert [row["id"] for row in result["dormant"]["projects"]] == [p.pk for p in oldest]
    mine = set(Membership.objects.filter(user=person).values_list("project_id", flat=True))
    mine |= set(Follow.objects.filter(user=person).values_list("project_id", flat=True))
    newest = sorted(
        (p for p in visible(person) if p.pk in mine),
        key=lambda p: (p.stage_changed_at, p.pk),
        reverse=True,
    )
    assert fresh in newest
    assert [row["id"] for row in result["followed"]] == [p.pk for p in newest][: portfolio.LISTED]


def test_filters_narrow_every_figure(portfolio_rows, funder):
    projects = visible(funder)
    one = next(p for p in projects if p.themes.exists())
    theme = one.themes.first().slug
    with_theme = [p for p in projects if p.themes.filter(slug=theme).exists()]
    selection = Project.objects.filter(themes__slug=theme)
    result = portfolio.figures(funder, portfolio.Filters(selection=selection))
    assert result["total"] == len(with_theme)
    items = ChecklistItem.objects.filter(project__in=[p.pk for p in with_theme]).count()
    assert sum(row["total"] for row in result["compliance"]) == items

    day = timezone.localtime(one.created_at).date()
    same_day = [p for p in projects if timezone.localtime(p.created_at).date() == day]
    result = portfolio.figures(funder, portfolio.Filters(since=day, until=day))
    assert result["total"] == len(same_day) >= 1


def test_visitors_only_count_public_projects(portfolio_rows, restricted_project, member):
    public = Project.objects.filter(visibility=Visibility.PUBLIC).count()
    assert portfolio.figures(AnonymousUser(), portfolio.Filters())["total"] == public
    assert portfolio.figures(member, portfolio.Filters())["total"] == public + 1
    # A selection cannot widen what someone may read.
    everything = portfolio.Filters(selection=Project.objects.all())
    assert portfolio.figures(AnonymousUser(), everything)["total"] == public


def test_export_rows(portfolio_rows, curator):
    rows = portfolio.export_rows(curator, portfolio.Filters())
    assert len(rows) == Project.objects.count()
    project = Project.objects.filter(transitions__name="advance").distinct().first()
    row = next(r for r in rows if r["id"] == project.pk)
    first = project.transitions.filter(to_stage=Stage.PROTOTYPE).order_by("at").first()
    assert row["reached_prototype_at"] == first.at
    assert row["themes"] == sorted(project.themes.values_list("slug", flat=True))
    items = project.checklist.filter(criterion__principle=Principle.ETHICS)
    met = (
        items.filter(status=ItemStatus.VERIFIED).count()
        + items.filter(status=ItemStatus.NOT_APPLICABLE, na_accepted=True).count()
    )
    assert row["compliance_ethics"] == pytest.approx(met / items.count(), abs=1e-4)


def test_empty_portfolio(db):
    result = portfolio.figures(AnonymousUser(), portfolio.Filters())
    assert result["total"] == 0
    assert [row["conversion"] for row in result["funnel"]] == [None] * 4
    assert result["time_in_stage"][0] == {
        "stage": "idea",
        "count": 0,
        "p25": None,
        "median": None,
        "p75": None,
    }
    assert result["dormant"] == {"days": 180, "count": 0, "projects": []}


def test_cached_figures_are_recomputed_when_the_portfolio_changes(project, owner, member):
    visitor = AnonymousUser()
    assert portfolio.figures(visitor, portfolio.Filters())["total"] == 1
    with CaptureQueriesContext(connection) as captured:
        assert portfolio.figures(visitor, portfolio.Filters())["total"] == 1
    assert len(captured.captured_queries) == 1  # the fingerprint only

    services.update_project(by=owner, project=project, visibility=Visibility.RESTRICTED)
    assert portfolio.figures(visitor, portfolio.Filters())["total"] == 0
    assert portfolio.figures(member, portfolio.Filters())["total"] == 1

    workflow_services.propose_project(by=owner, title="Deuxième", summary="Encore un.")
    assert portfolio.figures(visitor, portfolio.Filters())["total"] == 1
    workflow_services.archive(by=owner, project=project, rationale="Plus de financement.")
    stages = portfolio.figures(member, portfolio.Filters())["stages"]
    assert {row["stage"]: row["count"] for row in stages}["archived"] == 1


def test_a_compost_counts_among_the_monthly_moves(project, owner, funder, client):
    from workflows import lifecycle

    from ..workflows.test_lifecycle import LESSON

    lifecycle.compost(by=owner, project=project, **LESSON)
    months = portfolio.figures(funder, portfolio.Filters())["transitions_per_month"]
    assert sum(row["compost"] for row in months) == 1
    assert sum(row["archive"] for row in months) == 0
    page = client.get("/portfolio/")
    assert page.status_code == 200
    assert "Compostages" in page.content.decode()
