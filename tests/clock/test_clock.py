"""The clock: periodic work as database state, never lost, never doubled."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clock.models import Run, Schedule
from clock.services import period_of, requeue_stale_tasks, tick
from clock.tasks import prune_tasks
from tests.conftest import on_postgresql

PARIS = ZoneInfo("Europe/Paris")
JOBS = {
    "minutely": {"task": "clock.tasks.prune_tasks", "every": "minute"},
    "digest": {
        "task": "outbox.services.send_digests",
        "every": "day",
        "at": "07:00",
        "kwargs": {"frequency": "daily"},
    },
}


@pytest.fixture
def jobs(settings):
    settings.CLOCK_JOBS = JOBS
    return JOBS


def at(*args):
    return datetime(*args, tzinfo=PARIS)


def test_periods():
    assert period_of(at(2026, 12, 1, 10, 5, 30), every="minute")[1] == "2026-12-01T10:05"
    assert period_of(at(2026, 12, 1, 10, 5), every="hour")[1] == "2026-12-01T10"
    # Before 07:00 a day still belongs to the previous one.
    assert period_of(at(2026, 12, 1, 6, 59), every="day", at="07:00") == (
        at(2026, 11, 30, 7, 0),
        "2026-11-30",
    )
    assert period_of(at(2026, 12, 1, 7, 0), every="day", at="07:00")[1] == "2026-12-01"
    # Weeks start on Monday (30 November 2026).
    assert period_of(at(2026, 12, 3, 12), every="week", at="07:00") == (
        at(2026, 11, 30, 7, 0),
        "2026-W49",
    )
    with pytest.raises(ValueError):
        period_of(at(2026, 12, 1), every="fortnight")


def enqueued(path):
    return DBTaskResult.objects.filter(task_path=path).count()


def test_each_period_runs_once_whatever_the_ticks(db, jobs):
    now = at(2026, 12, 1, 7, 0, 10)
    assert sorted(tick(now)) == ["digest 2026-12-01", "minutely 2026-12-01T07:00"]
    assert tick(now + timedelta(seconds=20)) == []  # same minute, same day
    assert tick(now + timedelta(minutes=1)) == ["minutely 2026-12-01T07:01"]
    # A clock down for three hours catches up once, not once per missed minute.
    assert tick(now + timedelta(hours=3)) == ["minutely 2026-12-01T10:00"]
    assert enqueued("clock.tasks.prune_tasks") == 3
    assert enqueued("outbox.services.send_digests") == 1
    task = DBTaskResult.objects.get(task_path="outbox.services.send_digests")
    assert task.args_kwargs["kwargs"] == {"period": "2026-12-01", "frequency": "daily"}
    assert Schedule.objects.get(name="digest").last_period == at(2026, 12, 1, 7, 0)


def test_a_run_recorded_by_another_clock_is_not_repeated(db, jobs):
    """A second clock that read the schedule before the first committed still meets the
    unique run of that period."""
    now = at(2026, 12, 1, 7, 0, 10)
    Schedule.objects.create(name="digest")
    Run.objects.create(
        schedule=Schedule.objects.get(name="digest"), period=at(2026, 12, 1, 7), label="x"
    )
    assert tick(now) == ["minutely 2026-12-01T07:00"]
    assert enqueued("outbox.services.send_digests") == 0


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clocks_at_once_enqueue_each_run_once(jobs):
    now = at(2026, 12, 1, 7, 0, 10)
    barrier = threading.Barrier(4)
    results = []

    def clock():
        try:
            barrier.wait()
            results.extend(tick(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=clock) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["digest 2026-12-01", "minutely 2026-12-01T07:00"]
    assert DBTaskResult.objects.count() == 2
    assert Run.objects.count() == 2


def test_tasks_of_dead_workers_go_back_to_the_queue(db, settings):
    settings.TASKS_STALE_SECONDS = 60
    result = prune_tasks.enqueue(period="x")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    assert requeue_stale_tasks() == 0  # it may still be running
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - timedelta(minutes=2))
    assert requeue_stale_tasks() == 1
    assert DBTaskResult.objects.get(pk=row.pk).status == "READY"


def test_pruning_keeps_recent_and_failed_tasks(db, settings, run_tasks):
    settings.TASKS_RETENTION_DAYS = 7
    old, recent = prune_tasks.enqueue(period="a"), prune_tasks.enqueue(period="b")
    run_tasks()
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - timedelta(days=8))
    failed = prune_tasks.enqueue(period="c")
    DBTaskResult.objects.filter(pk=failed.id).update(
        status="FAILED", finished_at=timezone.now() - timedelta(days=30)
    )
    assert prune_tasks.call(period="d") == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=failed.id).pk,
    }


def test_clock_command_once(db, jobs, capsys, monkeypatch):
    from django.core.management import call_command

    from clock.management.commands import clock

    monkeypatch.setattr(clock, "close_old_connections", lambda: None)
    call_command("clock", "--once")
    assert "enqueued minutely" in capsys.readouterr().out
