"""The renewal cycle of a commons at the service level: the clock opens reviews when due or
on a signal, reviewers decide renewed, at risk or dormant with the commons gate's quorum,
never the team; a dormant commons is revived through a new review."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from commons import read, services
from commons.models import Commons, RenewalReview, RenewalVote, Reuse
from projects.errors import Conflict, Forbidden, Invalid
from projects.models import ProjectEvent

pytestmark = pytest.mark.django_db


def fingerprint():
    return (
        list(RenewalReview.objects.values_list("id", "status", "outcome")),
        list(RenewalVote.objects.values_list("id")),
        list(Commons.objects.values_list("status", "renewal_due", "recovery_due")),
        ProjectEvent.objects.count(),
    )


def due_date(project):
    return Commons.objects.get(project=project).renewal_due


def test_a_new_commons_is_due_twelve_months_after_graduation(at_commons):
    status = read.commons_status(at_commons)
    graduated = at_commons.stage_changed_at.date()
    assert status["status"] == "renewed"
    assert status["renewal_due"] == read.renewal_due_after(graduated)
    assert (status["renewal_due"] - graduated).days in range(365, 367)


def test_months_end_on_the_last_day_of_a_short_month(settings):
    settings.COMMONS_RENEWAL_MONTHS = 1
    assert read.renewal_due_after(date(2027, 1, 31)) == date(2027, 2, 28)


def test_the_clock_opens_a_review_before_the_date_and_only_once(at_commons):
    today = timezone.localdate()
    assert services.open_due_renewals(today=today) == 0
    services.ensure_commons(at_commons)
    due = due_date(at_commons)
    assert services.open_due_renewals(today=due - timedelta(days=31)) == 0
    assert services.open_due_renewals(today=due - timedelta(days=30)) == 1
    assert services.open_due_renewals(today=due - timedelta(days=29)) == 0
    review = RenewalReview.objects.get(project=at_commons)
    assert review.reason == "scheduled"
    assert review.opened_by is None
    assert review.signals["reuses"]["verified"] == 1
    assert ProjectEvent.objects.filter(project=at_commons, type="renewal.opened").count() == 1


def quorum_vote(review, reviewers, outcome, **extra):
    for person in reviewers:
        services.vote_renewal(by=person, review=review, outcome=outcome, rationale="Vu.", **extra)
    review.refresh_from_db()
    return review


def test_renewed_sets_a_new_date(at_commons, reviewer, reviewer2):
    review = services.open_renewal(by=reviewer, project=at_commons)
    services.vote_renewal(by=reviewer, review=review, outcome="renewed", rationale="Vivant.")
    review.refresh_from_db()
    assert review.status == "open"  # the commons gate's quorum is 2
    review = quorum_vote(review, [reviewer2], "renewed")
    assert (review.status, review.outcome) == ("decided", "renewed")
    assert due_date(at_commons) == read.renewal_due_after(timezone.localdate())


def test_at_risk_carries_a_recovery_plan_and_is_public(at_commons, reviewer, reviewer2):
    review = services.open_renewal(by=reviewer, project=at_commons)
    before = fingerprint()
    for bad in [
        {"recovery_plan": "", "recovery_due": "2099-01-01"},
        {"recovery_plan": "Un plan.", "recovery_due": ""},
        {"recovery_plan": "Un plan.", "recovery_due": "2020-01-01"},
        {"recovery_plan": "Un plan.", "recovery_due": "demain"},
    ]:
        with pytest.raises(Invalid):
            services.vote_renewal(
                by=reviewer, review=review, outcome="at_risk", rationale="Fragile.", **bad
            )
    assert fingerprint() == before
    due = timezone.localdate() + timedelta(days=90)
    quorum_vote(
        review, [reviewer, reviewer2], "at_risk", recovery_plan="Relancer.", recovery_due=due
    )
    status = read.commons_status(at_commons)
    assert status["status"] == "at_risk"
    assert status["label"] == "En danger"
    assert status["recovery_due"] == due
    assert status["renewal_due"] == due


def test_dormant_keeps_the_commons_and_can_be_revived(at_commons, owner, reviewer, reviewer2):
    # The team of a renewed commons does not open its own review.
    with pytest.raises(Forbidden):
        services.open_renewal(by=owner, project=at_commons)
    review = services.open_renewal(by=reviewer, project=at_commons)
    quorum_vote(review, [reviewer, reviewer2], "dormant")
    at_commons.refresh_from_db()
    assert at_commons.stage == "commons"
    assert read.commons_status(at_commons)["label"] == "En veille"
    # The clock leaves a dormant commons alone, even past its date.
    far = due_date(at_commons) + timedelta(days=400)
    assert services.open_due_renewals(today=far) == 0
    # The team asks for a new review, which renews it.
    revival = services.open_renewal(by=owner, project=at_commons)
    quorum_vote(revival, [reviewer, reviewer2], "renewed")
    assert read.commons_status(at_commons)["status"] == "renewed"


@pytest.mark.parametrize("who", ["owner", "member"])
def test_a_team_member_never_decides_a_renewal(at_commons, reviewer, people, who):
    review = services.open_renewal(by=reviewer, project=at_commons)
    before = fingerprint()
    with pytest.raises(Forbidden) as refused:
        services.vote_renewal(by=people[who], review=review, outcome="renewed", rationale="Oui.")
    assert refused.value.code == "conflict_of_interest"
    assert fingerprint() == before


def test_a_vote_of_someone_who_joined_the_team_does_not_count(
    at_commons, owner, reviewer, reviewer2, curator
):
    from projects.models import Role
    from projects.services import add_member

    review = services.open_renewal(by=reviewer, project=at_commons)
    services.vote_renewal(by=reviewer, review=review, outcome="renewed", rationale="Oui.")
    add_member(by=owner, project=at_commons, user_id=reviewer.pk, role=Role.MEMBER)
    services.vote_renewal(by=reviewer2, review=review, outcome="renewed", rationale="Oui.")
    review.refresh_from_db()
    assert review.status == "open"
    services.vote_renewal(by=curator, review=review, outcome="renewed", rationale="Oui.")
    review.refresh_from_db()
    assert review.outcome == "renewed"


def test_wrong_states_are_409_and_write_nothing(project, at_commons, reviewer, reviewer2):
    review = services.open_renewal(by=reviewer, project=at_commons)
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        services.open_renewal(by=reviewer2, project=at_commons)
    assert refused.value.code == "renewal_already_open"
    services.vote_renewal(by=reviewer, review=review, outcome="renewed", rationale="Oui.")
    with pytest.raises(Conflict) as refused:
        services.vote_renewal(by=reviewer, review=review, outcome="dormant", rationale="Non.")
    assert refused.value.code == "already_decided"
    quorum_vote(review, [reviewer2], "renewed")
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        services.vote_renewal(by=reviewer2, review=review, outcome="dormant", rationale="Non.")
    assert refused.value.code == "renewal_closed"
    assert fingerprint() == before


def test_only_a_commons_is_renewed(make_project, owner, reviewer):
    young = make_project(owner, title="Jeune projet")
    with pytest.raises(Conflict) as refused:
        services.open_renewal(by=reviewer, project=young)
    assert refused.value.code == "not_commons"


def test_the_last_reuse_lapsing_opens_a_review_early(at_commons):
    services.ensure_commons(at_commons)
    Reuse.objects.filter(project=at_commons).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )
    assert services.lapse_due_reuses() == 1
    assert services.open_due_renewals() == 1
    assert RenewalReview.objects.get(project=at_commons).reason == "reuse_lapsed"


def scan_of(at_commons, *, committed_at, failing=()):
    """A finished scan as the scanner writes it (append-only rows, inserted once)."""
    from evidence.models import CheckResult, RepositoryScan

    scan = RepositoryScan.objects.create(
        project=at_commons,
        url="https://forge.example.org/kit.git",
        status=RepositoryScan.Status.DONE,
        commit="a" * 40,
        committed_at=committed_at,
        finished_at=timezone.now(),
    )
    for code in ("licence", "readme"):
        CheckResult.objects.create(
            scan=scan, check_code=code, outcome="fail" if code in failing else "pass"
        )
    return scan


def test_the_review_shows_the_latest_scan(at_commons, reviewer):
    scan = scan_of(at_commons, committed_at=timezone.now() - timedelta(days=3))
    review = services.open_renewal(by=reviewer, project=at_commons)
    assert review.signals["scan"]["id"] == scan.pk
    assert review.signals["scan"]["failing"] == []


def test_no_commit_for_six_months_opens_one_review_not_one_a_day(at_commons, reviewer, reviewer2):
    services.ensure_commons(at_commons)
    scan_of(at_commons, committed_at=timezone.now() - timedelta(days=200))
    assert services.open_due_renewals() == 1
    review = RenewalReview.objects.get(project=at_commons)
    assert review.reason == "no_commit"
    quorum_vote(review, [reviewer, reviewer2], "renewed")
    assert services.open_due_renewals() == 0


def test_a_failing_required_check_opens_a_review(at_commons):
    from evidence.models import CheckMapping

    services.ensure_commons(at_commons)
    assert CheckMapping.objects.filter(check_code="licence", criterion__level="required")
    scan_of(at_commons, committed_at=timezone.now(), failing=["licence"])
    assert services.open_due_renewals() == 1
    review = RenewalReview.objects.get(project=at_commons)
    assert review.reason == "check_failing"
    assert review.signals["scan"]["failing"] == ["licence"]


def test_an_exempted_check_is_no_signal(at_commons):
    from evidence.models import Exemption

    services.ensure_commons(at_commons)
    Exemption.objects.create(project=at_commons, check_code="licence", reason="Données.")
    scan_of(at_commons, committed_at=timezone.now(), failing=["licence"])
    assert services.open_due_renewals() == 0


def conditions_of_the_commons_gate(at_commons, *due_in_days):
    """Conditions of the approval that made the project a commons, as the advance writes
    them (inserted once, open), due in so many days."""
    from workflows.models import Condition, GateReview

    review = GateReview.objects.filter(project=at_commons, gate__stage="commons").get()
    decision = review.decisions.first()
    return [
        Condition.objects.create(
            project=at_commons,
            review=review,
            decision=decision,
            text=f"Condition à {days} jours.",
            owner=at_commons.memberships.get(role="owner").user,
            due_on=timezone.localdate() + timedelta(days=days),
        )
        for days in due_in_days
    ]


def test_the_review_shows_the_open_and_missed_conditions(at_commons, reviewer, client):
    from workflows import lifecycle

    soon, later, met = conditions_of_the_commons_gate(at_commons, 5, 40, 10)
    lifecycle.meet_condition(by=reviewer, condition=met)
    with time_machine_days(20):
        assert lifecycle.miss_condition(soon)
        services.ensure_commons(at_commons)
        # A missed condition told the reviewers and curators already: no early renewal.
        assert services.open_due_renewals() == 0
        review = services.open_renewal(by=reviewer, project=at_commons)
    shown = review.signals["conditions"]
    assert (shown["open"], shown["overdue"], shown["missed"]) == (1, 0, 1)
    assert [(c["id"], c["status"], c["due_on"]) for c in shown["items"]] == [
        (soon.pk, "missed", soon.due_on.isoformat()),
        (later.pk, "open", later.due_on.isoformat()),
    ]
    client.force_login(reviewer)
    page = client.get(f"/projects/{at_commons.pk}/").content.decode()
    assert "Conditions en cours" in page
    assert '<dd data-conditions="1">1 ouverte · 1 manquée</dd>' in page


def test_an_open_condition_past_its_date_shows_as_overdue(at_commons, reviewer):
    conditions_of_the_commons_gate(at_commons, 5)
    with time_machine_days(10):
        review = services.open_renewal(by=reviewer, project=at_commons)
    shown = review.signals["conditions"]
    assert (shown["open"], shown["overdue"], shown["missed"]) == (1, 1, 0)


def time_machine_days(days):
    import time_machine

    return time_machine.travel(timezone.now() + timedelta(days=days))
