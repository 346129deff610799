"""Activity and community, from a history of dated commits by several people."""

import pytest

from evidence.checks import FAIL, NOT_APPLICABLE, PASS
from evidence.checks import activity as a

from .gitserver import NOW, days_ago


@pytest.fixture(scope="module")
def lively(new_repo, server, snapshot_of):
    """Three organisations over the year; Alice made most commits (one under two names,
    joined by .mailmap), Bob and Chloé the rest; two tags, one older than a year."""
    repo = new_repo()
    repo.write("a.txt", "0").commit(at=days_ago(400)).tag("v0.1", at=days_ago(400))
    people = [
        ("Alice", "alice@ville.example.fr"),
        ("Bob", "bob@asso.example.org"),
        ("Chloé", "chloe@coop.example.net"),
        ("Dan", "dan@gmail.com"),
    ]
    # 12 commits by Alice, 6 by Bob, 4 by Chloé, 1 by Dan in the year; 8 in the last 90 days.
    plan = [0] * 12 + [1] * 6 + [2] * 4 + [3]
    for index, who in enumerate(plan):
        name, email = people[who]
        if index == 3:
            name, email = "alice (old laptop)", "alice@laptop.local"
        days = 300 - index * 13
        repo.write("a.txt", str(index)).commit(author=name, email=email, at=days_ago(days))
    repo.write(".mailmap", "Alice <alice@ville.example.fr> <alice@laptop.local>\n")
    repo.commit(author="Alice", email="alice@ville.example.fr", at=days_ago(2))
    repo.tag("v1.0", at=days_ago(2))
    return snapshot_of(repo.publish(server, "activity-lively"))


@pytest.fixture(scope="module")
def dormant(new_repo, server, snapshot_of):
    repo = new_repo()
    repo.write("a.txt", "0").commit(at=days_ago(500))
    repo.write("a.txt", "1").commit(author="Bob", email="bob@asso.example.org", at=days_ago(450))
    return snapshot_of(repo.publish(server, "activity-dormant"))


def test_figures_over_90_days_and_a_year(lively):
    figures = a.activity_figures(lively, NOW)
    # Commits at 300 - 13i days: those under 90 days are i = 17..22, plus the .mailmap one.
    assert figures["commits_90d"] == 7
    assert figures["commits_365d"] == 24
    assert figures["authors_365d"] == 4  # the .mailmap folds Alice's second address
    assert figures["last_commit_days"] == 2
    assert 1 <= figures["active_weeks_90d"] <= 7
    assert a.check_activity(lively, NOW).outcome == PASS


def test_releases_in_the_year(lively):
    result = a.check_releases(lively, NOW)
    assert result.outcome == PASS
    assert result.value == {"tags_365d": 1, "latest": "v1.0"}


def test_absence_factor_honours_the_mailmap(lively):
    # Alice made 13 of 24 commits (the .mailmap joins her addresses): she alone is half.
    assert a.absence_factor(lively, NOW) == (1, 24)
    assert a.check_absence_factor(lively, NOW).outcome == FAIL


def test_organisations_by_domain(lively):
    result = a.check_organisations(lively, NOW)
    assert result.outcome == PASS
    assert result.value["domains"] == ["asso.example.org", "coop.example.net", "ville.example.fr"]


def test_a_dormant_repository(dormant):
    assert a.check_activity(dormant, NOW).outcome == FAIL
    assert a.check_activity(dormant, NOW).value["last_commit_days"] == 450
    assert a.check_releases(dormant, NOW).outcome == FAIL
    assert a.check_absence_factor(dormant, NOW).outcome == NOT_APPLICABLE
    assert a.check_organisations(dormant, NOW).outcome == NOT_APPLICABLE
