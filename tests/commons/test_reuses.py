"""The reuse registry at the service level: declaring, verifying, refusing, confirming,
lapsing, and the commons gate's computed reuse criterion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commons import identifiers, read, services
from commons.models import Reuse, ReuseEvent
from projects.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from projects.models import ProjectEvent, Stage
from tests.workflows.conftest import attest_all, pass_gate, verify_all
from workflows import gates
from workflows import services as workflow_services
from workflows.models import ChecklistChange, ChecklistItem, Gate, ItemStatus

pytestmark = pytest.mark.django_db

DECLARATION = {
    "organisation": "Commune de Plouguerneau",
    "siret": "21290177100015",
    "territory": "29",
    "kind": "adapted",
    "version": "v2.1",
    "instance_url": "https://kit.plouguerneau.example.org/",
    "use_case": "Ateliers numériques à la médiathèque.",
    "contact": "mediatheque@plouguerneau.example.org",
}


def fingerprint():
    """Everything a refused action must leave as it was."""
    return (
        list(Reuse.objects.values_list("id", "status", "confirmed_at", "note")),
        ReuseEvent.objects.count(),
        ProjectEvent.objects.count(),
        list(ChecklistItem.objects.values_list("id", "status")),
    )


def declare(project, by, **changes):
    return services.declare_reuse(by=by, project=project, **{**DECLARATION, **changes})


# Identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "732829320",  # a SIREN
        "73282932000074",  # a SIRET of it
        "356000000",  # La Poste's SIREN passes Luhn
        "35600000049837",  # a La Poste SIRET: its digits add up to a multiple of 5
    ],
)
def test_valid_identifiers(value):
    assert identifiers.is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "732829321",  # check digit wrong
        "73282932000075",
        "35600000049838",  # La Poste, sum not a multiple of 5
        "12345678",  # eight digits
        "1234567890",  # ten
        "\uff17\uff13\uff12\uff18\uff12\uff19\uff13\uff12\uff10",  # full-width digits
        "",
    ],
)
def test_invalid_identifiers(value):
    assert not identifiers.is_valid(value)


def test_la_poste_sirets_follow_their_own_rule():
    candidates = [f"356000000{n:05d}" for n in range(2000)]
    luhn_only = next(c for c in candidates if identifiers.luhn_ok(c) and sum(map(int, c)) % 5 != 0)
    sum_only = next(
        c for c in candidates if not identifiers.luhn_ok(c) and sum(map(int, c)) % 5 == 0
    )
    assert not identifiers.is_valid(luhn_only)
    assert identifiers.is_valid(sum_only)
    # Another body's SIRET is still checked by Luhn.
    assert not identifiers.is_valid("73282932000075")


# Declaring ---------------------------------------------------------------------------------


def test_anyone_signed_in_declares_a_reuse(project, stranger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reuse = declare(project, stranger, siret="212 901 771 00015")
    assert reuse.status == Reuse.Status.DECLARED
    assert reuse.siret == "21290177100015"
    assert reuse.territory_id == "29"
    assert list(reuse.history.values_list("action", flat=True)) == ["declared"]
    event = ProjectEvent.objects.get(project=project)
    assert event.type == "reuse.declared"
    assert "contact" not in event.data
    assert event.data["organisation"] == "Commune de Plouguerneau"


def test_a_body_abroad_gives_a_uri_instead(project, stranger):
    reuse = declare(project, stranger, siret="", organisation_uri="https://gemeente.example.nl/")
    assert reuse.organisation_uri == "https://gemeente.example.nl/"


@pytest.mark.parametrize(
    "siret, says",
    [
        ("abc", "9 ou 14 chiffres"),
        ("2129017710", "9 ou 14 chiffres"),
        ("21290177100014", "la clé de contrôle ne correspond pas"),
    ],
)
def test_a_bad_siret_is_told_what_is_wrong(project, stranger, siret, says):
    with pytest.raises(Invalid) as refused:
        declare(project, stranger, siret=siret)
    assert says in refused.value.extra["errors"]["siret"][0]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"siret": "21290177100014"}, "siret"),
        ({"siret": "2129017710"}, "siret"),
        ({"siret": "", "organisation_uri": ""}, "siret"),
        ({"siret": "", "organisation_uri": "ftp://example.org/"}, "organisation_uri"),
        ({"territory": "99"}, "territory"),
        ({"territory": "R99"}, "territory"),
        ({"territory": ""}, "territory"),
        ({"kind": "stolen"}, "kind"),
        ({"organisation": "  "}, "organisation"),
        ({"use_case": ""}, "use_case"),
        ({"contact": "not an address"}, "contact"),
        ({"instance_url": "javascript:alert(1)"}, "instance_url"),
        ({"version": "v" * 101}, "version"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_declarations_are_refused_and_write_nothing(project, stranger, changes, field):
    before = fingerprint()
    with pytest.raises(Invalid) as refused:
        declare(project, stranger, **changes)
    assert field in refused.value.extra["errors"]
    assert fingerprint() == before


def test_a_visitor_cannot_declare(project):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        declare(project, AnonymousUser())


def test_a_restricted_project_is_hidden_or_not_reusable(restricted_project, stranger, reviewer):
    with pytest.raises(NotFound):
        declare(restricted_project, stranger)
    with pytest.raises(Conflict) as refused:
        declare(restricted_project, reviewer)
    assert refused.value.code == "not_public"


def test_the_same_body_is_not_declared_twice(project, stranger, reviewer):
    declare(project, stranger, siret="212901771")
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        declare(project, reviewer, siret="21290177100015")
    assert refused.value.code == "already_declared"
    assert fingerprint() == before


# Verifying ---------------------------------------------------------------------------------


def test_a_reviewer_verifies(project, stranger, reviewer):
    reuse = declare(project, stranger)
    reuse = services.verify_reuse(by=reviewer, reuse=reuse, note="Vu sur leur site.")
    assert reuse.status == Reuse.Status.VERIFIED
    assert reuse.confirmed_at is not None
    assert list(reuse.history.values_list("action", "note")) == [
        ("declared", ""),
        ("verified", "Vu sur leur site."),
    ]


@pytest.mark.parametrize("who", ["owner", "member"])
def test_the_team_never_verifies_its_own(project, stranger, people, who):
    reuse = declare(project, stranger)
    before = fingerprint()
    with pytest.raises(Forbidden) as refused:
        services.verify_reuse(by=people[who], reuse=reuse)
    assert refused.value.code == "conflict_of_interest"
    with pytest.raises(Forbidden):
        services.refuse_reuse(by=people[who], reuse=reuse, note="Non.")
    assert fingerprint() == before


def test_people_who_are_not_reviewers_cannot_verify(project, stranger, funder, make_user):
    reuse = declare(project, stranger)
    before = fingerprint()
    for person in (stranger, funder, make_user("passer-by")):
        with pytest.raises(Forbidden):
            services.verify_reuse(by=person, reuse=reuse)
    assert fingerprint() == before


def test_a_reviewer_does_not_verify_their_own_declaration(project, reviewer):
    reuse = declare(project, reviewer)
    with pytest.raises(Forbidden) as refused:
        services.verify_reuse(by=reviewer, reuse=reuse)
    assert refused.value.code == "own_declaration"


def test_refusal_needs_a_note_and_is_final(project, stranger, reviewer, reviewer2):
    reuse = declare(project, stranger)
    with pytest.raises(Invalid):
        services.refuse_reuse(by=reviewer, reuse=reuse, note=" ")
    reuse = services.refuse_reuse(by=reviewer, reuse=reuse, note="Organisation introuvable.")
    assert reuse.status == Reuse.Status.REFUSED
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        services.verify_reuse(by=reviewer2, reuse=reuse)
    assert refused.value.code == "wrong_state"
    assert fingerprint() == before


# Confirming and lapsing --------------------------------------------------------------------


def test_only_the_declarer_confirms_a_verified_reuse(project, stranger, reviewer, owner):
    reuse = declare(project, stranger)
    with pytest.raises(Conflict):
        services.confirm_reuse(by=stranger, reuse=reuse)
    reuse = services.verify_reuse(by=reviewer, reuse=reuse)
    with pytest.raises(Forbidden):
        services.confirm_reuse(by=owner, reuse=reuse)
    first = reuse.confirmed_at
    reuse = services.confirm_reuse(by=stranger, reuse=reuse)
    assert reuse.confirmed_at > first
    assert reuse.history.last().action == "confirmed"


def test_an_unconfirmed_reuse_lapses_after_a_year(project, stranger, reviewer, settings):
    reuse = services.verify_reuse(by=reviewer, reuse=declare(project, stranger))
    now = timezone.now()
    assert services.lapse_due_reuses(now + timedelta(days=364)) == 0
    assert services.lapse_due_reuses(now + timedelta(days=366)) == 1
    reuse.refresh_from_db()
    assert reuse.status == Reuse.Status.LAPSED
    assert reuse.history.last().action == "lapsed"
    assert services.lapse_due_reuses(now + timedelta(days=367)) == 0


def test_a_confirmed_reuse_does_not_lapse(project, stranger, reviewer):
    reuse = services.verify_reuse(by=reviewer, reuse=declare(project, stranger))
    Reuse.objects.filter(pk=reuse.pk).update(confirmed_at=timezone.now() - timedelta(days=300))
    services.confirm_reuse(by=stranger, reuse=reuse)
    assert services.lapse_due_reuses(timezone.now() + timedelta(days=100)) == 0


# The computed criterion ----------------------------------------------------------------------


@pytest.fixture
def at_pilot(project, owner, reviewer, reviewer2):
    pass_gate(project, owner, [reviewer, reviewer2])
    pass_gate(project, owner, [reviewer, reviewer2])
    project.refresh_from_db()
    assert project.stage == Stage.PILOT
    return project


def reuse_item(project):
    return ChecklistItem.objects.get(project=project, criterion__computed="reuses")


def test_the_reuse_criterion_is_never_attested_by_hand(at_pilot, owner, reviewer):
    item = reuse_item(at_pilot)
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        workflow_services.attest_item(by=owner, item=item, evidence_url="https://example.org/")
    assert refused.value.code == "computed_criterion"
    with pytest.raises(Conflict):
        workflow_services.claim_not_applicable(by=owner, item=item, justification="Pas besoin.")
    with pytest.raises(Conflict):
        workflow_services.verify_item(by=reviewer, item=item)
    assert fingerprint() == before


def test_a_project_reaching_the_pilot_with_a_verified_reuse_meets_the_criterion(
    project, owner, reviewer, reviewer2, stranger
):
    """The decision that moves a project to the pilot refreshes the commons gate's computed
    item from what is already measured (the review's read says that gate has one)."""
    services.verify_reuse(by=reviewer, reuse=declare(project, stranger))
    pass_gate(project, owner, [reviewer, reviewer2])
    pass_gate(project, owner, [reviewer, reviewer2])
    project.refresh_from_db()
    assert project.stage == Stage.PILOT
    assert reuse_item(project).status == ItemStatus.VERIFIED


def test_a_review_opens_without_reuses_but_cannot_advance(at_pilot, owner, reviewer, reviewer2):
    attest_all(at_pilot, owner)
    review = workflow_services.open_review(by=owner, project=at_pilot)
    verify_all(at_pilot, reviewer)
    for person in (reviewer, reviewer2):
        workflow_services.decide(by=person, review=review, verdict="approve", rationale="Oui.")
    at_pilot.refresh_from_db()
    assert at_pilot.stage == Stage.PILOT
    codes = [b["code"] for b in gates.advance_blockers(at_pilot, review)]
    assert codes == ["reuses_missing"]


def test_the_verification_that_meets_the_criterion_advances(
    at_pilot, owner, reviewer, reviewer2, stranger
):
    attest_all(at_pilot, owner)
    review = workflow_services.open_review(by=owner, project=at_pilot)
    verify_all(at_pilot, reviewer)
    for person in (reviewer, reviewer2):
        workflow_services.decide(by=person, review=review, verdict="approve", rationale="Oui.")
    services.verify_reuse(by=reviewer, reuse=declare(at_pilot, stranger))
    at_pilot.refresh_from_db()
    assert at_pilot.stage == Stage.COMMONS
    change = ChecklistChange.objects.filter(item__criterion__computed="reuses").last()
    assert (change.from_status, change.to_status, change.actor) == ("todo", "verified", None)


def test_a_reuse_declared_by_the_team_does_not_count(at_pilot, member, reviewer):
    services.verify_reuse(by=reviewer, reuse=declare(at_pilot, member))
    assert read.counted_reuses(at_pilot) == 0
    assert reuse_item(at_pilot).status == ItemStatus.TODO


def test_n_is_set_per_gate_and_recomputes(at_pilot, stranger, reviewer, curator, make_user):
    from workflows import configuration

    services.verify_reuse(by=reviewer, reuse=declare(at_pilot, stranger))
    assert reuse_item(at_pilot).status == ItemStatus.VERIFIED
    gate = Gate.objects.get(stage="commons")
    configuration.configure_gate(by=curator, gate=gate, reuses_required=2)
    assert reuse_item(at_pilot).status == ItemStatus.TODO
    other = make_user("bibliotheque")
    services.verify_reuse(
        by=reviewer,
        reuse=declare(at_pilot, other, siret="", organisation_uri="https://bib.example.org/"),
    )
    assert reuse_item(at_pilot).status == ItemStatus.VERIFIED
    with pytest.raises(Invalid):
        configuration.configure_gate(by=curator, gate=gate, reuses_required=0)


def test_a_lapse_takes_the_criterion_back(at_pilot, stranger, reviewer):
    services.verify_reuse(by=reviewer, reuse=declare(at_pilot, stranger))
    assert reuse_item(at_pilot).status == ItemStatus.VERIFIED
    services.lapse_due_reuses(timezone.now() + timedelta(days=400))
    assert reuse_item(at_pilot).status == ItemStatus.TODO


def test_a_declarer_joining_the_team_takes_the_criterion_back(at_pilot, owner, stranger, reviewer):
    """Counted are the reuses declared by people outside the team now: a declarer who joins
    the team stops counting, and their leaving counts them again."""
    from projects import services as project_services

    services.verify_reuse(by=reviewer, reuse=declare(at_pilot, stranger))
    assert reuse_item(at_pilot).status == ItemStatus.VERIFIED
    project_services.add_member(by=owner, project=at_pilot, user_id=stranger.pk)
    assert read.counted_reuses(at_pilot) == 0
    assert reuse_item(at_pilot).status == ItemStatus.TODO
    project_services.remove_member(by=owner, project=at_pilot, user_id=stranger.pk)
    assert reuse_item(at_pilot).status == ItemStatus.VERIFIED
