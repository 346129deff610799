"""Scans in the background: queued by people and by the system, run by the worker, one at
a time, never left stuck by a dead worker, and every step an event of the project."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clock.services import tick
from evidence import services
from evidence.models import CheckResult, RepositoryScan
from projects import services as project_services
from projects.events import SCAN_UPDATED
from projects.models import ProjectEvent, Stage
from tests.conftest import on_postgresql
from tests.workflows.conftest import attest_all
from workflows import services as workflow_services

from .conftest import MIT, at_stage, publish

TASK = "evidence.services.run_queued_scan"


@pytest.fixture(scope="module")
def url(new_repo, server):
    return publish(new_repo, server, "background-kit", {"LICENSE": MIT})


@pytest.fixture(scope="module")
def other_url(new_repo, server):
    return publish(new_repo, server, "background-other", {"LICENSE": MIT, "README.md": "# Autre"})


@pytest.fixture
def kit(make_project, owner, member, url):
    return make_project(owner, members=[member], repository_url=url)


def scan_events(project) -> list[str]:
    rows = ProjectEvent.objects.filter(project=project, type=SCAN_UPDATED).order_by("seq")
    return [row.data["status"] for row in rows]


def test_the_worker_runs_the_queued_scan_and_each_step_is_an_event(kit, owner, run_tasks):
    scan, created = services.request_scan(by=owner, project_id=kit.pk)
    assert created and scan.status == "queued"
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert scan_events(kit) == ["queued"]
    assert run_tasks() == 1
    scan.refresh_from_db()
    assert scan.status == "done" and scan.started_at and scan.finished_at
    assert scan.results.get(check_code="licence").value["spdx"] == "MIT"
    assert scan_events(kit) == ["queued", "running", "done"]
    done = ProjectEvent.objects.filter(project=kit, type=SCAN_UPDATED).last()
    assert done.object_id == scan.pk and done.data["commit"] == scan.commit
    assert DBTaskResult.objects.get(task_path=TASK).status == "SUCCESSFUL"


def test_a_task_run_twice_scans_once(kit, owner, run_tasks):
    scan, _created = services.request_scan(by=owner, project_id=kit.pk)
    run_tasks()
    results = CheckResult.objects.filter(scan=scan).count()
    assert services.run_queued_scan.call(scan.pk) == "skipped"
    assert CheckResult.objects.filter(scan=scan).count() == results
    assert services.run_queued_scan.call(999_999) == "skipped"


def test_a_queued_scan_reads_the_address_current_when_it_starts(
    kit, owner, other_url, run_tasks, settings
):
    scan, _created = services.request_scan(by=owner, project_id=kit.pk)
    # The address changes while the scan waits: that scan is the active one and reads it.
    project_services.update_project(by=owner, project=kit, repository_url=other_url)
    assert kit.scans.count() == 1
    run_tasks()
    scan.refresh_from_db()
    assert scan.url == other_url and scan.status == "done"


def test_a_worker_killed_mid_scan_leaves_no_scan_stuck(kit, owner, run_tasks, settings):
    """What a SIGKILL leaves behind: the task claimed and running, the scan running. The
    clock finishes the scan as interrupted and puts the task back, which then does
    nothing; the project may be scanned again."""
    settings.CLOCK_JOBS = {
        "stale_scans": {"task": "evidence.tasks.close_stale_scans", "every": "hour"}
    }
    scan, _created = services.request_scan(by=owner, project_id=kit.pk)
    task = DBTaskResult.objects.get(task_path=TASK)
    task.claim("dead-worker")
    assert services._begin(scan.pk).status == "running"  # then the worker dies
    assert services.request_scan(by=owner, project_id=kit.pk) == (
        RepositoryScan.objects.get(pk=scan.pk),
        False,
    )
    # Time passes: longer than a scan may run, longer than a task may stay running.
    long_ago = timezone.now() - services.running_limit() - timedelta(hours=1)
    RepositoryScan.objects.filter(pk=scan.pk).update(started_at=long_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    assert tick() and DBTaskResult.objects.get(pk=task.pk).status == "READY"
    assert run_tasks() == 2  # the clock's job, and the scan's task put back
    scan.refresh_from_db()
    assert (scan.status, scan.refusal_code) == ("refused", "interrupted")
    assert scan.results.get(check_code="repository").outcome == "fail"
    assert scan_events(kit) == ["queued", "running", "refused"]
    assert DBTaskResult.objects.get(pk=task.pk).return_value == "skipped"
    fresh, created = services.request_scan(by=owner, project_id=kit.pk)
    assert created and fresh.pk != scan.pk


def test_a_slow_scan_closed_as_dead_keeps_its_reason(kit, owner):
    scan, _created = services.request_scan(by=owner, project_id=kit.pk)
    running = services._begin(scan.pk)
    RepositoryScan.objects.filter(pk=scan.pk).update(
        started_at=timezone.now() - services.running_limit() - timedelta(minutes=1)
    )
    assert services.close_stale_scans() == 1
    finished = services.run_scan(running)  # the slow worker comes back with its results
    assert (finished.status, finished.refusal_code) == ("refused", "interrupted")
    assert list(CheckResult.objects.filter(scan=scan).values_list("check_code", flat=True)) == [
        "repository"
    ]


def test_a_queued_scan_no_worker_takes_expires(kit, owner, settings):
    settings.EVIDENCE_QUEUE_TIMEOUT = 60
    scan, _created = services.request_scan(by=owner, project_id=kit.pk)
    assert services.close_stale_scans() == 0
    RepositoryScan.objects.filter(pk=scan.pk).update(
        requested_at=timezone.now() - timedelta(minutes=2)
    )
    assert services.close_stale_scans() == 1
    scan.refresh_from_db()
    assert (scan.status, scan.refusal_code) == ("refused", "expired")
    assert "Aucun processus de travail" in scan.refusal_reason


def test_the_repository_address_changing_queues_a_scan(kit, owner, other_url, settings):
    settings.EVIDENCE_RATE_PROJECT = (0, 3600)  # the system's scans are not rate-limited
    project_services.update_project(by=owner, project=kit, summary="Autre résumé.")
    assert not kit.scans.exists()
    project_services.update_project(by=owner, project=kit, repository_url=other_url)
    scan = kit.scans.get()
    assert (scan.status, scan.trigger, scan.url) == ("queued", "repository_changed", other_url)
    assert scan.requested_by == owner
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_emptying_the_address_queues_nothing(kit, owner):
    project_services.update_project(by=owner, project=kit, repository_url="")
    assert not kit.scans.exists()


def test_opening_a_gate_review_queues_a_scan(kit, owner):
    attest_all(kit, owner)
    review = workflow_services.open_review(by=owner, project=kit)
    scan = kit.scans.get()
    assert (scan.status, scan.trigger) == ("queued", "review_opened")
    # The review's event and the scan's took consecutive seqs, in that order.
    events = list(ProjectEvent.objects.filter(project=kit).order_by("-seq")[:2])
    assert [e.type for e in events] == [SCAN_UPDATED, "review.opened"]
    assert events[1].object_id == review.pk
    assert events[0].seq == events[1].seq + 1


def test_the_clock_rescans_pilot_and_commons_projects_when_due(
    make_project, owner, url, settings, run_tasks
):
    settings.EVIDENCE_RESCAN_DAYS = 7
    settings.CLOCK_JOBS = {
        "repository_rescans": {"task": "evidence.tasks.rescan_repositories", "every": "day"}
    }
    never = at_stage(make_project(owner, repository_url=url, title="Jamais"), Stage.PILOT)
    old = at_stage(make_project(owner, repository_url=url, title="Ancien"), Stage.COMMONS)
    recent = at_stage(make_project(owner, repository_url=url, title="Récent"), Stage.COMMONS)
    early = at_stage(make_project(owner, repository_url=url, title="Tôt"), Stage.PROTOTYPE)
    bare = at_stage(make_project(owner, title="Sans dépôt"), Stage.PILOT)
    for project, days in ((old, 8), (recent, 3)):
        RepositoryScan.objects.create(
            project=project,
            url=url,
            status="done",
            requested_at=timezone.now() - timedelta(days=days),
            finished_at=timezone.now() - timedelta(days=days),
        )
    assert tick() == [f"repository_rescans {timezone.localdate().isoformat()}"]
    assert run_tasks(limit=1) == 1  # the clock's job, not yet the scans it queued
    queued = RepositoryScan.objects.filter(status="queued")
    assert {scan.project for scan in queued} == {never, old}
    assert {scan.trigger for scan in queued} == {"clock"}
    assert not early.scans.exists() and not bare.scans.exists()
    # The interval is a setting; a project with a scan under way is not queued twice.
    settings.EVIDENCE_RESCAN_DAYS = 2
    assert services.rescan_due() == 1  # ``recent`` only
    assert RepositoryScan.objects.filter(status="queued").count() == 3


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_queue_one_scan(make_project, owner, member, new_repo, server):
    url = publish(new_repo, server, "background-race", {"LICENSE": MIT})
    kit = make_project(owner, members=[member], repository_url=url)
    barrier = threading.Barrier(4)
    answers = []

    def ask(person):
        try:
            barrier.wait()
            answers.append(services.request_scan(by=person, project_id=kit.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(p,)) for p in (owner, member, owner, member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4
    assert len({scan.pk for scan, _created in answers}) == 1
    assert sum(created for _scan, created in answers) == 1
    assert RepositoryScan.objects.filter(project=kit).count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert scan_events(kit) == ["queued"]
