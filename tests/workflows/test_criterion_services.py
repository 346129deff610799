"""Criteria are written through their services only: the API's create, update and delete
call them, and they refuse anyone but a curator with nothing written."""

import pytest
from django.contrib.auth.models import AnonymousUser

from projects.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from workflows import configuration, gates
from workflows.models import Criterion, Gate

NEW = {
    "code": "pilot-docs",
    "principle": "replicability",
    "title_fr": "Documentation publiée",
    "title_en": "Published documentation",
    "level": "required",
    "evidence": "link",
}


def test_curators_create_update_and_delete(db, curator):
    gate = Gate.objects.get(stage="pilot")
    criterion = configuration.create_criterion(by=curator, gate=gate, **NEW)
    assert criterion.pk and criterion.gate == gate
    configuration.update_criterion(by=curator, criterion=criterion, level="recommended")
    criterion.refresh_from_db()
    assert criterion.level == "recommended"
    configuration.delete_criterion(by=curator, criterion=criterion)
    assert not Criterion.objects.filter(code="pilot-docs").exists()


@pytest.mark.parametrize("who", ["reviewer", "owner", "stranger"])
def test_anyone_else_is_refused_and_nothing_changes(db, request, who):
    person = request.getfixturevalue(who)
    gate = Gate.objects.get(stage="pilot")
    before = list(Criterion.objects.order_by("id").values())
    existing = Criterion.objects.get(code="pilot-gdpr")
    with pytest.raises(Forbidden):
        configuration.create_criterion(by=person, gate=gate, **NEW)
    with pytest.raises(Forbidden):
        configuration.update_criterion(by=person, criterion=existing, level="recommended")
    with pytest.raises(Forbidden):
        configuration.delete_criterion(by=person, criterion=existing)
    assert list(Criterion.objects.order_by("id").values()) == before


def test_a_visitor_is_asked_to_sign_in(db):
    with pytest.raises(NotAuthenticated):
        configuration.create_criterion(
            by=AnonymousUser(), gate=Gate.objects.get(stage="pilot"), **NEW
        )


def test_bad_fields_and_answered_criteria_are_refused(project, curator):
    gate = Gate.objects.get(stage="pilot")
    with pytest.raises(Invalid) as bad:
        configuration.create_criterion(by=curator, gate=gate, **{**NEW, "principle": "beauty"})
    assert "principle" in bad.value.extra["errors"]
    with pytest.raises(Invalid):
        configuration.create_criterion(by=curator, gate=gate, **NEW, colour="blue")
    answered = gates.checklist_for(project).first().criterion
    with pytest.raises(Conflict) as in_use:
        configuration.delete_criterion(by=curator, criterion=answered)
    assert in_use.value.code == "criterion_in_use"
    assert Criterion.objects.filter(pk=answered.pk).exists()


def test_the_api_writes_through_the_services(api, curator, monkeypatch):
    called = []
    for name in ("create_criterion", "update_criterion", "delete_criterion"):
        real = getattr(configuration, name)
        monkeypatch.setattr(
            configuration,
            name,
            lambda real=real, name=name, **kw: called.append(name) or real(**kw),
        )
    client = api.as_(curator)
    created = client.post("/api/criteria/", {**NEW, "gate": "pilot"}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.patch(f"/api/criteria/{pk}/", {"position": 9}, format="json").status_code == 200
    assert client.delete(f"/api/criteria/{pk}/").status_code == 204
    assert called == ["create_criterion", "update_criterion", "delete_criterion"]
