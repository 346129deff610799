"""The task queue on PostgreSQL: latency, throughput, and what it costs a request.

Run on demand against a PostgreSQL database it may fill (it migrates it, adds its own
people and projects, and empties its task table between measures):

    DATABASE_URL=postgres://... .venv/bin/python bench/tasks.py [--tasks N]

Measures, with `manage.py db_worker` processes as in production (`--interval 1`):
- enqueue-to-start latency p50/p99, tasks enqueued one at a time at a steady pace while
  1, 2 and 4 workers wait;
- tasks per second with 1, 2 and 4 workers draining a backlog of N tasks;
- what enqueuing one task adds to a request (ms, inside its transaction);
- a gate decision whose notifications go by e-mail to 8 people: with the e-mails sent in
  the request to a local SMTP server (what the code did before) and with them enqueued
  (now), in ms and statements.
The task is ``outbox.tasks.send_message`` on a message that does not exist: one locked
read, the smallest real task, so the figures are the queue's own cost.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from notifications.services import set_preferences  # noqa: E402
from outbox.models import Message  # noqa: E402
from outbox.tasks import send_message  # noqa: E402
from workflows import services  # noqa: E402
from workflows.models import ChecklistItem, GateReview, ItemStatus  # noqa: E402

User = get_user_model()
WORKERS = (1, 2, 4)
MISSING = 10**12  # no message has this id


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DEBUG": "0"}
    return [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "1",
                "--no-reload",
                "--worker-id",
                f"bench-{count}-{n}",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        for n in range(count)
    ]


def stop(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def wait_drained(timeout=600):
    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not drain the queue")
        time.sleep(0.2)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def warm_up(workers: int) -> list[subprocess.Popen]:
    """Workers started and polling (Django's start-up is not the queue's latency)."""
    running = start_workers(workers)
    for _ in range(workers * 2):
        send_message.enqueue(MISSING)
    wait_drained()
    time.sleep(2)
    DBTaskResult.objects.all().delete()
    return running


def latency(workers: int, count: int) -> tuple[float, float]:
    DBTaskResult.objects.all().delete()
    running = warm_up(workers)
    for _ in range(count):
        send_message.enqueue(MISSING)
        time.sleep(0.2)  # a steady trickle, slower than the workers: no backlog
    wait_drained()
    stop(running)
    waits = [
        (row.started_at - row.enqueued_at).total_seconds() * 1000
        for row in DBTaskResult.objects.all()
    ]
    return percentile(waits, 50), percentile(waits, 99)


def cpu_seconds(processes) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def throughput(workers: int, count: int) -> tuple[float, float]:
    """Tasks per second draining a backlog, and the workers' CPU milliseconds per task
    (which the machine's load does not change)."""
    DBTaskResult.objects.all().delete()
    running = warm_up(workers)
    with transaction.atomic():
        for _ in range(count):
            send_message.enqueue(MISSING)
    before = cpu_seconds(running)
    wait_drained()
    cpu = cpu_seconds(running) - before
    stop(running)
    rows = DBTaskResult.objects.all()
    first = min(row.started_at for row in rows)
    last = max(row.finished_at for row in rows)
    return count / max((last - first).total_seconds(), 1e-9), cpu / count * 1000


def enqueue_cost(count: int) -> float:
    began = time.perf_counter()
    for _ in range(count):
        with transaction.atomic():
            send_message.enqueue(MISSING)
    return (time.perf_counter() - began) / count * 1000


def decision_fixture(tag: str):
    reviewers, _ = Group.objects.get_or_create(name="reviewers")
    owner = User.objects.create_user(f"owner-{tag}", f"owner-{tag}@example.org")
    team = [User.objects.create_user(f"m{n}-{tag}", f"m{n}-{tag}@example.org") for n in range(7)]
    reviewer = User.objects.create_user(f"rev-{tag}", f"rev-{tag}@example.org")
    reviewer.groups.add(reviewers)
    project = services.propose_project(by=owner, title=f"Banc {tag}", summary="Mesure.")
    from projects.models import Membership, Role

    for person in team:
        Membership.objects.create(project=project, user=person, role=Role.MEMBER)
    for person in [owner, *team]:
        set_preferences(by=person, choices={"decision": {"email": "immediate"}})
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = GateReview.objects.create(
        project=project, gate_id=project.checklist.first().criterion.gate_id, opened_by=owner
    )
    return reviewer, review


def decide_once(tag: str, *, send_in_request: bool) -> tuple[float, int]:
    reviewer, review = decision_fixture(tag)
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        with transaction.atomic():
            services.decide(by=reviewer, review=review, verdict="request_changes", rationale="Non.")
        if send_in_request:
            # What the code did before: the e-mails left from the request, after commit.
            for message in Message.objects.filter(
                status="pending", recipient__username__endswith=tag
            ):
                send_message.call(message.pk)
        elapsed = (time.perf_counter() - began) * 1000
    return elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--paced", type=int, default=100)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/tasks.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores")
    print(
        f"| workers | latency p50 (ms) | latency p99 (ms) | tasks/s (backlog of {args.tasks}) "
        "| worker CPU per task (ms) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for workers in WORKERS:
        p50, p99 = latency(workers, args.paced)
        rate, cpu = throughput(workers, args.tasks)
        print(f"| {workers} | {p50:.0f} | {p99:.0f} | {rate:.0f} | {cpu:.1f} |")
    DBTaskResult.objects.all().delete()
    print(f"enqueue in a transaction: {enqueue_cost(500):.2f} ms per task")

    from django.conf import settings

    from tests.smtp import SMTPServer

    smtp = SMTPServer()
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    mail.outbox = []
    rows = {"e-mails sent in the request (before)": [], "e-mails enqueued (now)": []}
    for run in range(10):
        suffix = secrets.token_hex(3)
        rows["e-mails sent in the request (before)"].append(
            decide_once(f"b{run}{suffix}", send_in_request=True)
        )
        rows["e-mails enqueued (now)"].append(decide_once(f"a{run}{suffix}", send_in_request=False))
    smtp.stop()
    print("| gate decision, 8 people told by e-mail | ms (median of 10) | statements |")
    print("| --- | --- | --- |")
    for label, values in rows.items():
        ms = statistics.median(v[0] for v in values)
        print(f"| {label} | {ms:.1f} | {values[0][1]} |")
    DBTaskResult.objects.all().delete()


if __name__ == "__main__":
    main()
