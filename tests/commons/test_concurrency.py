"""Renewals and reuse verifications racing on real threads, each with its own connection:
the clock opening a renewal while a reviewer opens one gives exactly one review; two
reviewers verifying the same reuse give one verification."""

import pytest

from commons import services
from commons.models import RenewalReview, Reuse, ReuseEvent
from tests.conftest import on_postgresql
from tests.workflows.test_concurrency import assert_only_domain_errors, at_once, refused

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    on_postgresql,
]

BODY = {
    "organisation": "Médiathèque de Rezé",
    "siret": "21440143500018",
    "territory": "44",
    "kind": "as_is",
    "use_case": "Prêt de tablettes et ateliers.",
    "contact": "numerique@reze.example.org",
}


@pytest.mark.parametrize("round", range(3))
def test_the_clock_and_a_reviewer_open_one_renewal(at_commons, reviewer, round):
    with_due = services.ensure_commons(at_commons)
    today = with_due.renewal_due
    outcomes = at_once(
        lambda: services.open_due_renewals(today=today),
        lambda: services.open_renewal(by=reviewer, project=at_commons),
    )
    assert_only_domain_errors(outcomes)
    assert RenewalReview.objects.filter(project=at_commons).count() == 1
    clock, person = outcomes
    assert (clock == 1) != isinstance(person, RenewalReview)
    assert clock == 0 or refused(person)


def test_two_reviewers_verifying_one_reuse_verify_it_once(project, stranger, reviewer, reviewer2):
    reuse = services.declare_reuse(by=stranger, project=project, **BODY)
    outcomes = at_once(
        lambda: services.verify_reuse(by=reviewer, reuse=reuse),
        lambda: services.verify_reuse(by=reviewer2, reuse=reuse),
    )
    assert_only_domain_errors(outcomes)
    assert sum(refused(o) for o in outcomes) == 1
    assert Reuse.objects.get().status == "verified"
    assert ReuseEvent.objects.filter(action="verified").count() == 1
