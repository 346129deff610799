"""A whole scan stored, and the database keeping it as written."""

from datetime import timedelta

import pytest
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from evidence.checks import LABELS
from evidence.checks.registry import HISTORY, TREE
from evidence.models import CheckResult, RepositoryScan
from evidence.services import scan_repository, start_scan
from projects.errors import Conflict
from projects.models import Project

from .conftest import MIT, README, publish


@pytest.fixture(scope="module")
def kit_url(new_repo, server):
    files = {
        "LICENSE": MIT,
        "README.md": README,
        "package.json": '{"name": "kit", "license": "MIT"}',
    }
    return publish(new_repo, server, "scan-kit", files)


@pytest.fixture
def scanned(make_project, owner, kit_url):
    project = make_project(owner, repository_url=kit_url)
    return scan_repository(project_id=project.pk, by=owner)


def test_a_scan_stores_every_check_at_its_commit(scanned):
    assert scanned.status == RepositoryScan.Status.DONE
    assert len(scanned.commit) == 40
    results = {r.check_code: r for r in scanned.results.all()}
    assert set(results) == {"repository", *TREE, *HISTORY}
    assert {r.commit for r in results.values()} == {scanned.commit}
    assert results["licence"].value["spdx"] == "MIT"
    assert results["licence"].path == "LICENSE"
    assert results["readme"].outcome == "pass"
    assert results["contributing"].outcome == "fail"


def test_every_check_has_a_label():
    assert set(LABELS) == {"repository", *TREE, *HISTORY}


def test_results_are_append_only(scanned):
    result = scanned.results.get(check_code="licence")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckResult.objects.filter(pk=result.pk).update(outcome="fail")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckResult.objects.filter(pk=result.pk).delete()
    assert CheckResult.objects.get(pk=result.pk).outcome == "pass"


def test_a_finished_scan_is_append_only(scanned):
    with pytest.raises(IntegrityError), transaction.atomic():
        RepositoryScan.objects.filter(pk=scanned.pk).update(commit="0" * 40)
    with pytest.raises(IntegrityError), transaction.atomic():
        RepositoryScan.objects.filter(pk=scanned.pk).delete()
    assert RepositoryScan.objects.get(pk=scanned.pk).commit == scanned.commit


def test_a_flushed_test_database_keeps_the_guards_of_queued_scans(make_project, owner, monkeypatch):
    """A transactional test ends with a flush that lifts the guards and puts them back
    (tests/conftest.py): those of today, where a queued scan may start, not those of the
    first migration."""
    tables = ["evidence_override"]  # one empty table flushed: the guards around it matter
    monkeypatch.setattr(connection.introspection, "django_table_names", lambda **_: tables)
    connection.ops.execute_sql_flush(flush.sql_flush(no_style(), connection))
    project = make_project(owner, repository_url="https://forge.example.org/kit")
    scan = RepositoryScan.objects.create(project=project, url=project.repository_url)
    RepositoryScan.objects.filter(pk=scan.pk).update(status=RepositoryScan.Status.RUNNING)
    RepositoryScan.objects.filter(pk=scan.pk).update(status=RepositoryScan.Status.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        RepositoryScan.objects.filter(pk=scan.pk).update(commit="0" * 40)


def test_deleting_the_project_takes_its_scans(scanned):
    Project.objects.get(pk=scanned.project_id).delete()
    assert not RepositoryScan.objects.filter(pk=scanned.pk).exists()
    assert not CheckResult.objects.filter(scan_id=scanned.pk).exists()


def test_one_running_scan_per_project(make_project, owner, kit_url):
    project = make_project(owner, repository_url=kit_url)
    start_scan(project_id=project.pk)
    with pytest.raises(Conflict) as conflict:
        scan_repository(project_id=project.pk)
    assert conflict.value.code == "scan_running"


def test_a_scan_left_running_by_a_dead_process_is_closed(make_project, owner, kit_url):
    project = make_project(owner, repository_url=kit_url)
    stale = start_scan(project_id=project.pk)
    RepositoryScan.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(hours=2)
    )
    fresh = scan_repository(project_id=project.pk)
    assert fresh.status == RepositoryScan.Status.DONE
    stale.refresh_from_db()
    assert (stale.status, stale.refusal_code) == ("refused", "interrupted")


def test_a_project_without_repository_is_a_conflict(make_project, owner):
    project = make_project(owner)
    with pytest.raises(Conflict) as conflict:
        scan_repository(project_id=project.pk)
    assert conflict.value.code == "no_repository"
    assert not RepositoryScan.objects.exists()
