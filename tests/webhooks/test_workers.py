"""Two real ``db_worker`` processes on PostgreSQL deliver to a receiver that is down, then
up: every delivery arrives exactly once, in ``seq`` order per endpoint and project, whichever
worker sent it."""

import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.conftest import on_postgresql
from tests.test_scale_out import database_url
from webhooks.models import Attempt, Delivery, Endpoint

ROOT = Path(__file__).resolve().parent.parent.parent
WAIT = 60

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def start_worker(tmp_path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",  # the test setting below is refused in production
        "WEBHOOKS_ALLOW_LOCAL": "1",
        "WEBHOOKS_TIMEOUT": "2",
        "WEBHOOKS_RETRY_SECONDS": "1",
        "WEBHOOKS_RETRY_MAX_WAIT": "2",
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1"]
    command += ["--no-startup-delay", "--no-reload", "--worker-id", name]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / f"{name}.log", "wb"),
        stderr=subprocess.STDOUT,
    )


def test_two_workers_deliver_everything_once_and_in_order_through_an_outage(
    tmp_path, make_project, owner, curator, receiver, register, comment
):
    projects = [make_project(owner, title=f"Projet {n}") for n in range(3)]
    register(owner, receiver, project=projects[0], event_types=["comment.created"])
    register(curator, receiver, event_types=["comment.created"])  # every project
    # One receiver for both endpoints: one secret for both.
    Endpoint.objects.update(secret=receiver.secret)
    workers = [start_worker(tmp_path, f"worker-{n}") for n in range(2)]
    try:
        receiver.stop()
        for round_ in range(12):
            for project in projects:
                comment(owner, project, f"{project.title} / {round_}")
            if round_ == 6:
                # The workers meet the closed port before the receiver comes back.
                deadline = time.monotonic() + WAIT
                while not Attempt.objects.filter(error="unreachable").exists():
                    assert time.monotonic() < deadline, "no attempt during the outage"
                    time.sleep(0.1)
                receiver.start()
        expected = Delivery.objects.count()
        assert expected == 12 * 3 + 12  # the portfolio endpoint for all, the other for one
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if not Delivery.objects.filter(status="pending").exists():
                break
            time.sleep(0.2)
        messages = receiver.wait_for(expected, timeout=5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=WAIT)
    logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in range(2))
    assert receiver.rejected == []
    assert Delivery.objects.filter(status="delivered").count() == expected, logs[-3000:]
    ids = [message["id"] for message in messages]
    assert len(ids) == len(set(ids)) == expected  # exactly once
    by_lane = defaultdict(list)
    deliveries = dict(Delivery.objects.values_list("message_id", "endpoint_id"))
    for message in messages:
        data = message["body"]["data"]
        by_lane[(deliveries[message["id"]], data["project"])].append(data["seq"])
    assert len(by_lane) == 4
    for seqs in by_lane.values():
        assert seqs == sorted(seqs) and len(seqs) == 12
    assert Delivery.objects.filter(attempts__gt=1).exists()  # the outage was felt
    ran_by = {
        wid for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for wid in ids
    }
    assert ran_by == {"worker-0", "worker-1"}
    connection.close()
