"""Who is told about reuses and renewals, in the app (e-mail follows each person's
preference for the kind, like every notification)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commons import services
from commons.models import Reuse
from notifications.models import Notification

pytestmark = pytest.mark.django_db

BODY = {
    "organisation": "Médiathèque de Rezé",
    "siret": "21440143500018",
    "territory": "44",
    "kind": "as_is",
    "use_case": "Prêt de tablettes et ateliers.",
    "contact": "numerique@reze.example.org",
}


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_a_declaration_tells_the_reviewers_and_the_team(project, stranger, reviewer, reviewer2):
    services.declare_reuse(by=stranger, project=project, **BODY)
    assert told("reuse_declared") == ["member", "owner", "reviewer", "reviewer2"]


def test_a_decision_tells_the_declarer_and_the_team(project, stranger, reviewer):
    reuse = services.declare_reuse(by=stranger, project=project, **BODY)
    services.verify_reuse(by=reviewer, reuse=reuse)
    assert told("reuse_decided") == ["member", "owner", "stranger"]
    told_row = Notification.objects.filter(kind="reuse_decided").first()
    # A system sentence: stored as its code, rendered in the reader's language.
    assert (told_row.code, told_row.text) == ("reuse_verified", "")
    assert "vérifiée" in told_row.shown


def test_the_declarer_is_asked_to_confirm_once_before_the_lapse(project, stranger, reviewer):
    reuse = services.verify_reuse(
        by=reviewer, reuse=services.declare_reuse(by=stranger, project=project, **BODY)
    )
    Reuse.objects.filter(pk=reuse.pk).update(confirmed_at=timezone.now() - timedelta(days=340))
    services.lapse_due_reuses()
    services.lapse_due_reuses()
    assert told("reuse_confirm") == ["stranger"]
    services.lapse_due_reuses(timezone.now() + timedelta(days=30))
    assert told("reuse_decided").count("stranger") == 2  # verified, then lapsed


def test_renewals_tell_reviewers_then_followers(at_commons, reviewer, reviewer2, stranger):
    from projects.services import follow_project

    follow_project(by=stranger, project=at_commons)
    Notification.objects.all().delete()
    review = services.open_renewal(by=reviewer, project=at_commons)
    assert told("renewal_opened") == ["member", "owner", "reviewer2"]
    for person in (reviewer, reviewer2):
        services.vote_renewal(by=person, review=review, outcome="renewed", rationale="Vivant.")
    assert told("renewal_decided") == ["member", "owner", "stranger"]
