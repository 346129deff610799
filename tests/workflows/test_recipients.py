"""Who the product notifies, read from the services' own choice of recipients (not lists
built by the test): a decision tells the team, a stage change the team and the followers
who may still read the project, a mention or a reply the people it names."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussion.services import post_comment
from notifications.models import Notification
from projects.services import follow_project
from tests.plans import reaches_by_key
from workflows import services

from .conftest import attest_all, verify_all

Kind = Notification.Kind


def told(kind) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_a_decision_tells_the_team_and_an_advance_the_followers(
    project, owner, reviewer, stranger, funder
):
    follow_project(by=stranger, project=project)
    follow_project(by=funder, project=project)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    assert told(Kind.DECISION) == ["member", "owner"]
    assert told(Kind.STAGE_CHANGED) == ["funder", "member", "owner", "stranger"]


def test_a_restricted_project_tells_only_those_who_may_read_it(
    restricted_project, owner, member, stranger, funder, curator
):
    # The stranger followed while the project was public; funders read every project.
    for person in (stranger, funder):
        restricted_project.follows.create(user=person)
    services.archive(by=curator, project=restricted_project, rationale="En pause.")
    assert told(Kind.STAGE_CHANGED) == ["funder", "member", "owner"]


def test_mentions_and_replies_reach_the_people_named(project, owner, member, stranger):
    top, _ = post_comment(by=member, project=project, body="Qu'en pense @owner ?")
    post_comment(by=stranger, project=project, body="Et moi aussi.", parent=top.pk)
    assert told(Kind.MENTION) == ["owner"]
    assert told(Kind.REPLY) == ["member"]


def people_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_a_decision_finds_the_people_concerned_by_key_not_by_reading_every_account(
    many_accounts, project, owner, reviewer, funder
):
    follow_project(by=funder, project=project)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    with CaptureQueriesContext(connection) as queries:
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    assert told(Kind.STAGE_CHANGED) == ["funder", "member", "owner"]
    people = people_queries(queries)
    assert people
    assert all(reaches_by_key(sql, "auth_user") for sql in people), people


def test_a_stage_change_finds_the_followers_by_key_not_by_reading_every_account(
    many_accounts, project, funder, curator
):
    follow_project(by=funder, project=project)
    with CaptureQueriesContext(connection) as queries:
        services.archive(by=curator, project=project, rationale="En pause.")
    assert told(Kind.STAGE_CHANGED) == ["funder", "member", "owner"]
    people = people_queries(queries)
    assert people
    assert all(reaches_by_key(sql, "auth_user") for sql in people), people
