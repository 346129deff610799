"""POST and GET /api/projects/{id}/scans/: who may, one at a time, and the limits. POST
queues the scan; the worker (``run_tasks``) runs it."""

import pytest

from evidence.models import RepositoryScan
from evidence.services import start_scan

from .conftest import MIT, publish


@pytest.fixture(scope="module")
def url(new_repo, server):
    return publish(new_repo, server, "api-kit", {"LICENSE": MIT})


@pytest.fixture
def kit(make_project, owner, member, url):
    return make_project(owner, members=[member], repository_url=url)


@pytest.fixture
def hidden(make_project, owner, url):
    return make_project(owner, visibility="restricted", repository_url=url)


def scans(project) -> str:
    return f"/api/projects/{project.pk}/scans/"


@pytest.mark.parametrize("who", ["owner", "member", "reviewer", "curator"])
def test_the_team_and_reviewers_may_scan(api, kit, who, request, run_tasks):
    person = request.getfixturevalue(who)
    response = api.as_(person).post(scans(kit))
    assert response.status_code == 202, response.json()
    queued = response.json()
    assert (queued["status"], queued["trigger"], queued["results"]) == ("queued", "asked", [])
    assert queued["started_at"] is None
    assert run_tasks() == 1
    body = api.get(f"{scans(kit)}{queued['id']}/").json()
    assert body["status"] == "done"
    licence = next(r for r in body["results"] if r["check"] == "licence")
    assert licence["value"]["spdx"] == "MIT"
    assert licence["commit"] == body["commit"]


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("stranger", 403), ("funder", 403)])
def test_others_may_not(api, kit, who, status, request):
    person = request.getfixturevalue(who) if who else None
    response = api.as_(person).post(scans(kit))
    assert response.status_code == status
    assert not RepositoryScan.objects.exists()


def test_a_hidden_project_is_not_found(api, restricted_project, stranger):
    assert api.as_(stranger).post(scans(restricted_project)).status_code == 404
    assert api.as_(stranger).get(scans(restricted_project)).status_code == 404
    assert api.as_(None).post("/api/projects/999999/scans/").status_code == 404


def test_a_reviewer_on_their_own_team_may_scan_as_a_member(api, make_project, reviewer, url):
    own = make_project(reviewer, repository_url=url)
    assert api.as_(reviewer).post(scans(own)).status_code == 202


def test_one_at_a_time_a_second_request_answers_with_the_active_scan(
    api, kit, owner, member, run_tasks
):
    first = api.as_(owner).post(scans(kit)).json()
    second = api.as_(member).post(scans(kit))
    assert second.status_code == 202
    assert second.json()["id"] == first["id"]
    assert RepositoryScan.objects.count() == 1
    assert run_tasks() == 1  # one task for the one scan
    running = start_scan(project_id=kit.pk)  # a scan running in another process
    again = api.as_(owner).post(scans(kit))
    assert (again.status_code, again.json()["id"]) == (202, running.pk)
    assert again.json()["status"] == "running"


def test_a_scan_of_another_project_is_not_found(api, kit, make_project, owner, url):
    other = make_project(owner, repository_url=url, title="Autre")
    scan = api.as_(owner).post(scans(other)).json()
    assert api.get(f"{scans(kit)}{scan['id']}/").status_code == 404
    assert api.get(f"{scans(other)}{scan['id']}/").status_code == 200


def test_without_repository(api, make_project, owner):
    response = api.as_(owner).post(scans(make_project(owner)))
    assert response.status_code == 409
    assert response.json()["code"] == "no_repository"


def test_rate_limit_per_project(api, kit, owner, member, settings, run_tasks):
    settings.EVIDENCE_RATE_PROJECT = (1, 3600)
    assert api.as_(owner).post(scans(kit)).status_code == 202
    run_tasks()
    response = api.as_(member).post(scans(kit))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 3500
    assert response.json()["code"] == "rate_limited"
    assert RepositoryScan.objects.count() == 1


def test_rate_limit_per_person(api, kit, make_project, owner, url, settings):
    settings.EVIDENCE_RATE_PERSON = (1, 3600)
    other = make_project(owner, repository_url=url, title="Autre")
    assert api.as_(owner).post(scans(kit)).status_code == 202
    response = api.as_(owner).post(scans(other))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 3500


def test_anyone_who_reads_the_project_reads_its_latest_scan(api, kit, owner, run_tasks):
    assert api.as_(None).get(scans(kit)).status_code == 404
    api.as_(owner).post(scans(kit))
    assert api.as_(None).get(scans(kit)).json()["status"] == "queued"
    run_tasks()
    response = api.as_(None).get(scans(kit))
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert {r["check"] for r in response.json()["results"]} >= {"repository", "licence"}
