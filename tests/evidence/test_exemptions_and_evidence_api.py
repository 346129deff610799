"""Exemptions (a mandatory reason, declared by the team) and the evidence per checklist
item in the API."""

import pytest
from django.db import IntegrityError, transaction

from evidence.models import CheckMapping, Exemption
from evidence.services import scan_repository
from workflows.models import Criterion
from workflows.services import propose_project

from .conftest import MIT, publish


@pytest.fixture(scope="module")
def url(new_repo, server):
    return publish(new_repo, server, "exemption-kit", {"LICENSE": MIT, "kit.py": "print(1)\n"})


@pytest.fixture
def kit(owner, member, url):
    from projects.models import Role
    from projects.services import add_member

    project = propose_project(by=owner, title="Kit", summary="Un kit.", repository_url=url)
    add_member(by=owner, project=project, user_id=member.pk, role=Role.MEMBER)
    return project


def exemptions(project) -> str:
    return f"/api/projects/{project.pk}/exemptions/"


@pytest.mark.parametrize("who", ["owner", "member", "curator"])
def test_the_team_declares_an_exemption_with_a_reason(api, kit, who, request):
    body = {"check": "reuse", "reason": "Contenus pédagogiques : licence par document."}
    response = api.as_(request.getfixturevalue(who)).post(exemptions(kit), body)
    assert response.status_code == 201, response.json()
    assert response.json()["reason"] == body["reason"]
    assert api.as_(None).get(exemptions(kit)).json()[0]["check"] == "reuse"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("stranger", 403), ("reviewer", 403)])
def test_others_may_not(api, kit, who, status, request):
    person = request.getfixturevalue(who) if who else None
    response = api.as_(person).post(exemptions(kit), {"check": "reuse", "reason": "Parce que."})
    assert response.status_code == status
    assert not Exemption.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"check": "reuse", "reason": "   "},
        {"check": "reuse"},
        {"check": "nonsense", "reason": "Parce que."},
        {"check": "reuse", "reason": "x" * 2001},
        {"check": "reuse", "reason": "ok", "extra": 1},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api, kit, owner, body):
    response = api.as_(owner).post(exemptions(kit), body)
    assert response.status_code == 400
    assert not Exemption.objects.exists()


def test_the_database_refuses_an_exemption_without_reason(kit, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.create(project=kit, check_code="reuse", reason="", declared_by=owner)


def test_the_api_gives_the_evidence_beside_each_mapped_item(api, kit, owner):
    criterion = Criterion.objects.get(code="proto-open-intent")
    CheckMapping.objects.create(criterion=criterion, check_code="licence")
    CheckMapping.objects.create(criterion=criterion, check_code="reuse", position=1)
    api.as_(owner).post(exemptions(kit), {"check": "reuse", "reason": "Licence par document."})
    assert api.as_(None).get(f"/api/projects/{kit.pk}/evidence/").json() == []
    scan = scan_repository(project_id=kit.pk)
    body = api.as_(None).get(f"/api/projects/{kit.pk}/evidence/").json()
    assert [entry["criterion"] for entry in body] == ["proto-open-intent"]
    licence, reuse = body[0]["checks"]
    assert licence["outcome"] == "pass"
    assert licence["text"] == "Licence MIT trouvée"
    assert (licence["path"], licence["commit"]) == ("LICENSE", scan.commit)
    assert reuse["outcome"] == "fail"
    assert reuse["exemption"] == "Licence par document."


def test_a_hidden_project_has_no_evidence_for_a_stranger(api, owner, stranger, url):
    project = propose_project(
        by=owner, title="Kit", summary="Un kit.", repository_url=url, visibility="restricted"
    )
    assert api.as_(stranger).get(f"/api/projects/{project.pk}/evidence/").status_code == 404
    assert api.as_(stranger).get(exemptions(project)).status_code == 404
