"""The automatic results on the checklist: one-click verify from a passing result, a failing
required check that a reviewer overrides only with a note, and the team's exemptions."""

import pytest

from evidence import verification
from evidence.models import CheckMapping, Exemption, Override
from evidence.services import declare_exemption, scan_repository
from projects.errors import Conflict, Forbidden, Invalid
from projects.models import ProjectEvent
from workflows import gates
from workflows import services as workflow_services
from workflows.models import ChecklistChange, Criterion, ItemStatus
from workflows.services import propose_project

from .conftest import MIT, publish

QUICK = "Vérifier d\u2019après l\u2019analyse du dépôt"  # the one-click button
# A licence file, no REUSE headers: ``licence`` passes, ``reuse`` fails.
FILES = {"LICENSE": MIT, "kit.py": "print(1)\n"}


@pytest.fixture(scope="module")
def url(new_repo, server):
    return publish(new_repo, server, "checklist-kit", FILES)


@pytest.fixture
def kit(owner, url):
    return propose_project(by=owner, title="Kit", summary="Un kit.", repository_url=url)


def item_of(project, code="proto-open-intent"):
    return gates.checklist_for(project).get(criterion__code=code)


def mapped(*checks, code="proto-open-intent"):
    criterion = Criterion.objects.get(code=code)
    for position, check in enumerate(checks):
        CheckMapping.objects.create(criterion=criterion, check_code=check, position=position)


def attest(project, owner, code="proto-open-intent"):
    return workflow_services.attest_item(
        by=owner, item=item_of(project, code), evidence_text="Notre licence."
    )


def test_a_passing_result_lets_a_reviewer_verify_in_one_click(kit, owner, reviewer):
    mapped("licence")
    scan = scan_repository(project_id=kit.pk)
    item = item_of(kit)
    assert item.status == ItemStatus.TODO  # the result alone verifies nothing
    verification.verify_from_scan(by=reviewer, project_id=kit.pk, item_id=item.pk, scan_id=scan.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.VERIFIED
    assert f"au commit {scan.commit[:7]}" in item.evidence_text
    assert "Licence MIT trouvée dans LICENSE" in item.evidence_text
    assert "analyse automatique" in item.review_note
    change = ChecklistChange.objects.filter(item=item).latest("id")
    assert (change.actor, change.from_status, change.to_status) == (reviewer, "todo", "verified")
    assert ProjectEvent.objects.filter(project=kit, type="checklist.updated").exists()


def test_one_click_keeps_the_teams_own_evidence(kit, owner, reviewer):
    mapped("licence")
    scan = scan_repository(project_id=kit.pk)
    attest(kit, owner)
    item = item_of(kit)
    verification.verify_from_scan(by=reviewer, project_id=kit.pk, item_id=item.pk, scan_id=scan.pk)
    item.refresh_from_db()
    assert (item.status, item.evidence_text) == (ItemStatus.VERIFIED, "Notre licence.")


@pytest.mark.parametrize(
    ("checks", "code"), [(("licence", "reuse"), "evidence_not_passing"), ((), "scan_changed")]
)
def test_one_click_needs_every_mapped_check_passing_on_the_scan_seen(kit, reviewer, checks, code):
    mapped(*checks)
    scan = scan_repository(project_id=kit.pk)
    item = item_of(kit)
    seen = scan.pk if checks else scan.pk + 1000
    with pytest.raises(Conflict) as refused:
        verification.verify_from_scan(by=reviewer, project_id=kit.pk, item_id=item.pk, scan_id=seen)
    assert refused.value.code == code
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO


def test_one_click_is_for_reviewers_only(kit, owner, reviewer):
    mapped("licence")
    scan = scan_repository(project_id=kit.pk)
    item = item_of(kit)
    with pytest.raises(Forbidden):
        verification.verify_from_scan(by=owner, project_id=kit.pk, item_id=item.pk, scan_id=scan.pk)
    assert item_of(kit).status == ItemStatus.TODO


def test_a_failing_required_check_blocks_until_a_reviewer_overrides_it_with_a_note(
    kit, owner, reviewer
):
    mapped("licence", "reuse")
    scan = scan_repository(project_id=kit.pk)
    attest(kit, owner)
    item = item_of(kit)
    with pytest.raises(Invalid) as refused:
        workflow_services.verify_item(by=reviewer, item=item, note="  ")
    assert refused.value.code == "override_note_required"
    assert "Conformité REUSE" in str(refused.value.extra["errors"]["note"][0])
    assert item_of(kit).status == ItemStatus.ATTESTED
    assert not Override.objects.exists()
    workflow_services.verify_item(by=reviewer, item=item, note="REUSE en cours, licence claire.")
    assert item_of(kit).status == ItemStatus.VERIFIED
    override = Override.objects.get()
    assert (override.item, override.scan, override.by) == (item, scan, reviewer)
    assert (override.checks, override.note) == (["reuse"], "REUSE en cours, licence claire.")


def test_the_api_refuses_the_verification_without_a_note_and_shows_the_override(
    api, kit, owner, reviewer
):
    mapped("licence", "reuse")
    scan_repository(project_id=kit.pk)
    attest(kit, owner)
    item = item_of(kit)
    address = f"/api/projects/{kit.pk}/checklist/{item.pk}/"
    evidence = f"/api/projects/{kit.pk}/evidence/"
    assert api.as_(None).get(evidence).json()[0]["blocking"] == ["reuse"]
    response = api.as_(reviewer).patch(address, {"status": "verified"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "override_note_required"
    assert "note" in response.json()["errors"]
    response = api.as_(reviewer).patch(
        address, {"status": "verified", "note": "Vu avec l'équipe."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = api.as_(None).get(evidence).json()[0]
    assert body["blocking"] == []
    assert body["override"]["note"] == "Vu avec l'équipe."
    assert body["override"]["checks"] == ["reuse"]
    assert body["override"]["by"] == "reviewer"


def test_an_exempted_check_does_not_block(kit, owner, reviewer):
    mapped("licence", "reuse")
    scan_repository(project_id=kit.pk)
    declare_exemption(by=owner, project_id=kit.pk, check_code="reuse", reason="Fichiers générés.")
    attest(kit, owner)
    workflow_services.verify_item(by=reviewer, item=item_of(kit))
    assert item_of(kit).status == ItemStatus.VERIFIED
    assert not Override.objects.exists()


def test_a_recommended_item_is_not_blocked(kit, owner, reviewer):
    mapped("reuse", code="proto-codesign")
    scan_repository(project_id=kit.pk)
    attest(kit, owner, code="proto-codesign")
    workflow_services.verify_item(by=reviewer, item=item_of(kit, "proto-codesign"))
    assert item_of(kit, "proto-codesign").status == ItemStatus.VERIFIED


def test_accepting_a_not_applicable_claim_needs_no_override(kit, owner, reviewer):
    mapped("reuse")
    scan_repository(project_id=kit.pk)
    item = workflow_services.claim_not_applicable(
        by=owner, item=item_of(kit), justification="Pas de code publié à ce stade."
    )
    workflow_services.verify_item(by=reviewer, item=item)
    assert item_of(kit).na_accepted


def test_the_page_shows_the_blocker_the_button_and_the_override(client, kit, owner, reviewer):
    mapped("licence", "reuse")
    mapped("licence", code="proto-problem")
    scan = scan_repository(project_id=kit.pk)
    attest(kit, owner)
    client.force_login(owner)
    page = client.get(kit.get_absolute_url()).content.decode()
    assert "Bloquant" in page and "Conformité REUSE" in page
    assert QUICK not in page  # not for the team
    client.force_login(reviewer)
    page = client.get(kit.get_absolute_url()).content.decode()
    assert page.count(QUICK) == 1  # proto-problem
    assert "Passer outre et vérifier" in page
    item = item_of(kit)
    prefix = f"verify-{item.pk}"
    response = client.post(
        f"/projects/{kit.pk}/checklist/{item.pk}/verify/", {f"{prefix}-note": ""}
    )
    assert response.status_code == 400  # the page again, the note asked for
    assert "une note est obligatoire pour passer outre" in response.content.decode()
    client.post(f"/projects/{kit.pk}/checklist/{item.pk}/verify/", {f"{prefix}-note": "Vu."})
    page = client.get(kit.get_absolute_url()).content.decode()
    assert "Vérification automatique passée outre" in page and "Vu." in page
    problem = item_of(kit, "proto-problem")
    response = client.post(
        f"/projects/{kit.pk}/checklist/{problem.pk}/verify-from-scan/", {"scan": scan.pk}
    )
    assert response.status_code == 302
    assert item_of(kit, "proto-problem").status == ItemStatus.VERIFIED


def test_the_team_declares_an_exemption_in_the_pages(client, kit, owner, reviewer, stranger):
    address = f"/projects/{kit.pk}/exemptions/"
    client.force_login(owner)
    response = client.post(address, {"check": "reuse", "reason": ""})
    assert response.status_code == 400
    assert not Exemption.objects.exists()
    response = client.post(address, {"check": "reuse", "reason": "Fichiers générés."})
    assert response.status_code == 302
    assert Exemption.objects.get().declared_by == owner
    client.force_login(reviewer)
    page = client.get(address).content.decode()
    assert "Fichiers générés." in page and "Déclarer une exemption" not in page
    assert client.post(address, {"check": "reuse", "reason": "Non."}).status_code == 403
    client.force_login(stranger)
    assert client.post(address, {"check": "ci", "reason": "Non."}).status_code == 403
    assert Exemption.objects.get().reason == "Fichiers générés."
