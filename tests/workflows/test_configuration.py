"""The configuration services that the API and the curator's console share."""

import pytest

from projects.errors import Conflict, Forbidden, Invalid
from workflows import configuration, gates
from workflows.models import Criterion, Gate

pytestmark = pytest.mark.django_db


def new_criterion(by, **fields):
    fields = {
        "gate": Gate.objects.get(stage="pilot"),
        "code": "pilot-partner",
        "principle": "general_interest",
        "title_fr": "Un partenaire territorial",
        "title_en": "A territorial partner",
        **fields,
    }
    return configuration.create_criterion(by=by, **fields)


def test_curators_add_change_and_delete_a_criterion(curator):
    criterion = new_criterion(curator, guidance_fr="  Une convention signée.  ")
    assert criterion.level == Criterion.Level.REQUIRED
    assert criterion.guidance_fr == "Une convention signée."
    changed = configuration.update_criterion(by=curator, criterion=criterion, level="recommended")
    assert changed.level == "recommended"
    assert Criterion.objects.get(pk=criterion.pk).title_fr == "Un partenaire territorial"
    configuration.delete_criterion(by=curator, criterion=criterion)
    assert not Criterion.objects.filter(pk=criterion.pk).exists()


@pytest.mark.parametrize("person", ["reviewer", "funder", "owner"])
def test_only_curators_configure(request, person, curator):
    user = request.getfixturevalue(person)
    criterion = Criterion.objects.get(code="pilot-gdpr")
    gate = Gate.objects.get(stage="pilot")
    with pytest.raises(Forbidden):
        new_criterion(user)
    with pytest.raises(Forbidden):
        configuration.update_criterion(by=user, criterion=criterion, level="recommended")
    with pytest.raises(Forbidden):
        configuration.delete_criterion(by=user, criterion=criterion)
    with pytest.raises(Forbidden):
        configuration.configure_gate(by=user, gate=gate, quorum=1)
    assert Criterion.objects.get(pk=criterion.pk).level == "required"
    assert Gate.objects.get(pk=gate.pk).quorum == 2


def test_bad_values_are_refused_field_by_field(curator):
    with pytest.raises(Invalid) as refused:
        new_criterion(curator, code="pilot-gdpr", principle="beauty", level="maybe")
    assert set(refused.value.extra["errors"]) == {"code", "principle", "level"}
    criterion = Criterion.objects.get(code="pilot-gdpr")
    with pytest.raises(Invalid) as refused:
        configuration.update_criterion(by=curator, criterion=criterion, levle="required")
    assert set(refused.value.extra["errors"]) == {"levle"}
    with pytest.raises(Invalid):
        configuration.update_criterion(by=curator, criterion=criterion, title_fr="")
    assert Criterion.objects.get(pk=criterion.pk).title_fr != ""


def test_an_answered_criterion_is_deactivated_not_deleted(curator, project):
    criterion = gates.checklist_for(project).first().criterion
    with pytest.raises(Conflict):
        configuration.delete_criterion(by=curator, criterion=criterion)
    configuration.update_criterion(by=curator, criterion=criterion, active=False)
    assert Criterion.objects.get(pk=criterion.pk).active is False


def test_quorum_and_pool_are_checked(curator, reviewer, stranger):
    gate = Gate.objects.get(stage="pilot")
    for bad in (0, 10, -1, "deux"):
        with pytest.raises(Invalid):
            configuration.configure_gate(by=curator, gate=gate, quorum=bad)
    with pytest.raises(Invalid) as refused:
        configuration.configure_gate(by=curator, gate=gate, quorum=1, reviewers=[stranger])
    assert set(refused.value.extra["errors"]) == {"reviewers"}
    assert Gate.objects.get(pk=gate.pk).quorum == 2
    configuration.configure_gate(by=curator, gate=gate, quorum=3, reviewers=[reviewer])
    gate.refresh_from_db()
    assert gate.quorum == 3
    assert list(gate.reviewers.all()) == [reviewer]
    configuration.configure_gate(by=curator, gate=gate, reviewers=[])
    assert not gate.reviewers.exists()
