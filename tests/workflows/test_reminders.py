"""Reviewers are told when a review opens and reminded when it waits; teams are reminded
of requested changes and nudged when their project goes quiet."""

from datetime import timedelta

from django.utils import timezone

from notifications.models import Notification
from projects.models import Project
from workflows import services
from workflows.models import Gate, GateReview
from workflows.reminders import nudge_dormant, remind_reviewers, remind_teams

from .conftest import attest_all

Kind = Notification.Kind


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_opening_a_review_tells_every_reviewer_never_the_team(
    project, owner, member, reviewer, reviewer2, curator
):
    attest_all(project, owner)
    services.open_review(by=owner, project=project)
    assert told(Kind.REVIEW_OPENED) == ["reviewer", "reviewer2"]


def test_opening_a_review_tells_the_gate_pool_only(project, owner, member, reviewer, reviewer2):
    Gate.objects.get(stage="prototype").reviewers.add(reviewer2, member)
    attest_all(project, owner)
    services.open_review(by=owner, project=project)
    # The member is in the pool but on the team: a team never reviews itself.
    assert told(Kind.REVIEW_OPENED) == ["reviewer2"]


def age_review(review, days):
    GateReview.objects.filter(pk=review.pk).update(opened_at=timezone.now() - timedelta(days=days))


def test_reviewers_reminded_after_the_gate_days_once_per_stretch(
    project, owner, reviewer, reviewer2
):
    Gate.objects.filter(stage="prototype").update(reminder_days=5)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    assert remind_reviewers.call(period="d1") == 0
    age_review(review, 6)
    assert remind_reviewers.call(period="d2") == 1
    assert told(Kind.REMINDER) == ["reviewer", "reviewer2"]
    assert remind_reviewers.call(period="d3") == 0  # told less than 5 days ago
    Notification.objects.filter(kind=Kind.REMINDER).update(
        created_at=timezone.now() - timedelta(days=6)
    )
    assert remind_reviewers.call(period="d4") == 1


def test_no_reminder_when_the_gate_says_never(project, owner, reviewer):
    Gate.objects.filter(stage="prototype").update(reminder_days=0)
    attest_all(project, owner)
    age_review(services.open_review(by=owner, project=project), 100)
    assert remind_reviewers.call(period="d1") == 0


def test_team_reminded_of_requested_changes_until_it_asks_again(
    settings, project, owner, member, reviewer
):
    settings.CHANGES_REMINDER_DAYS = 7
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="request_changes", rationale="Précisez.")
    assert remind_teams.call(period="d1") == 0
    GateReview.objects.filter(pk=review.pk).update(closed_at=timezone.now() - timedelta(days=8))
    assert remind_teams.call(period="d2") == 1
    assert told(Kind.REMINDER) == ["member", "owner"]
    assert remind_teams.call(period="d3") == 0
    services.open_review(by=owner, project=project)  # the team asked again
    Notification.objects.all().delete()
    assert remind_teams.call(period="d4") == 0


def test_dormant_projects_nudged_once(settings, project, owner, member):
    settings.DORMANT_DAYS = 90
    assert nudge_dormant.call(period="d1") == 0
    long_ago = timezone.now() - timedelta(days=91)
    Project.objects.filter(pk=project.pk).update(updated_at=long_ago)
    project.events.update(at=long_ago)
    assert nudge_dormant.call(period="d2") == 1
    assert told(Kind.DORMANT) == ["member", "owner"]
    assert nudge_dormant.call(period="d3") == 0


def test_curators_set_the_reminder_delay_of_a_gate(api, reviewer, curator):
    gate = Gate.objects.get(stage="pilot")
    url = f"/api/gates/{gate.pk}/"
    assert api.as_(reviewer).patch(url, {"reminder_days": 3}).status_code == 403
    for bad in (-1, 366, "souvent"):
        assert api.as_(curator).patch(url, {"reminder_days": bad}).status_code == 400
    answer = api.as_(curator).patch(url, {"reminder_days": 3})
    assert answer.status_code == 200 and answer.json()["reminder_days"] == 3
    gate.refresh_from_db()
    assert gate.reminder_days == 3
