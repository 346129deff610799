"""Webhook deliveries on PostgreSQL: deliveries per second and commit-to-receiver latency.

Run on demand against a PostgreSQL database it may fill (it migrates it and adds its own
people, projects and endpoints):

    DATABASE_URL=postgres://... .venv/bin/python bench/webhooks.py [--events N] [--lanes L]

A receiver on 127.0.0.1 (a threaded ``http.server`` in this process) verifies every
signature with the ``standardwebhooks`` library and notes when each message arrived.
``manage.py db_worker`` processes send, with the Procfile's ``--interval 1``:

- **throughput**: with the workers waiting, N comments on L projects (one endpoint each,
  so L lanes) commit in one transaction; the rate is the number of deliveries over the time
  from the first arrival to the last. With
  one lane the deliveries are serial by design (in order per endpoint and project), so the
  same backlog on one project is measured too;
- **latency**: with the workers waiting, comments are committed one at a time at a steady
  pace slower than the workers; the latency runs from just after the commit to the arrival
  at the receiver (p50, p99);
- the workers' CPU time per delivery, which the machine's load does not change.
"""

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
# A receiver on 127.0.0.1 is admitted only outside production (DEBUG), for tests and this.
os.environ["DEBUG"] = "1"
os.environ["WEBHOOKS_ALLOW_LOCAL"] = "1"
os.environ["COMMENT_RATE_COUNT"] = "1000000"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from standardwebhooks import Webhook  # noqa: E402

from discussion.services import post_comment  # noqa: E402
from webhooks.models import Delivery, Endpoint  # noqa: E402
from webhooks.services import register_endpoint  # noqa: E402
from webhooks.tasks import sweep_lanes  # noqa: E402
from workflows.services import propose_project  # noqa: E402

User = get_user_model()
WORKERS = (1, 4)


class Receiver:
    """Verifies each signature and records (endpoint secret aside) when each message came."""

    def __init__(self):
        self.secret = None
        self.arrivals: dict[str, float] = {}
        self.rejected = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.time()
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers), json_parse=False)
                except Exception:
                    with receiver.lock:
                        receiver.rejected += 1
                    code = 400
                else:
                    with receiver.lock:
                        receiver.arrivals.setdefault(self.headers["webhook-id"], now)
                    code = 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def start_workers(count: int, tag: str) -> list[subprocess.Popen]:
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"]
    return [
        subprocess.Popen(
            [*command, "--no-reload", "--worker-id", f"bench-{tag}-{n}", "-v", "0"],
            cwd=ROOT,
            env=os.environ,
        )
        for n in range(count)
    ]


def warm_up(count: int, tag: str) -> list[subprocess.Popen]:
    """Workers started and polling: each has run a task (Django's start-up is not what is
    measured)."""
    running = start_workers(count, tag)
    names = {f"bench-{tag}-{n}" for n in range(count)}
    deadline = time.monotonic() + 300
    while True:
        seen = {
            worker
            for ids in DBTaskResult.objects.filter(status="SUCCESSFUL").values_list(
                "worker_ids", flat=True
            )
            for worker in ids
        }
        if names <= seen:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers not up: {sorted(names - seen)}")
        for _n in range(count):
            sweep_lanes.enqueue(period="bench")
        time.sleep(0.5)
    while DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
        time.sleep(0.2)
    time.sleep(1.5)
    DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"]).delete()
    return running


def stop(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=60)


def cpu_seconds(processes) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def wait_for(receiver: Receiver, count: int, timeout: float = 900):
    deadline = time.monotonic() + timeout
    while len(receiver.arrivals) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(receiver.arrivals)} of {count} arrived")
        time.sleep(0.05)


def setting_up(receiver: Receiver, lanes: int, tag: str):
    """Fresh tables, one curator owning ``lanes`` projects with an endpoint each."""
    Delivery.objects.all().delete()
    Endpoint.objects.all().delete()
    DBTaskResult.objects.all().delete()
    curators, _ = Group.objects.get_or_create(name="curators")
    owner = User.objects.create_user(f"bench-{tag}", f"bench-{tag}@example.org")
    owner.groups.add(curators)
    projects = [
        propose_project(by=owner, title=f"Banc {tag} {n}", summary="Mesure.") for n in range(lanes)
    ]
    for project in projects:
        endpoint, _secret = register_endpoint(
            by=owner, url=receiver.url, event_types=["comment.created"], project_id=project.pk
        )
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=receiver.secret)
    return owner, projects


def throughput(receiver, workers: int, events: int, lanes: int) -> tuple[float, float]:
    tag = secrets.token_hex(3)
    owner, projects = setting_up(receiver, lanes, tag)
    receiver.arrivals.clear()
    running = warm_up(workers, tag)
    before = cpu_seconds(running)
    # The whole backlog commits at once.
    with transaction.atomic():
        for n in range(events):
            post_comment(by=owner, project=projects[n % lanes], body=f"Mesure {n}")
            reset_queries()
    wait_for(receiver, events)
    cpu = cpu_seconds(running) - before
    stop(running)
    times = sorted(receiver.arrivals.values())
    return (events - 1) / max(times[-1] - times[0], 1e-9), cpu / events * 1000


def latency(receiver, workers: int, events: int, lanes: int, pace: float):
    tag = secrets.token_hex(3)
    owner, projects = setting_up(receiver, lanes, tag)
    receiver.arrivals.clear()
    running = warm_up(workers, tag)
    committed = {}
    for n in range(events):
        post_comment(by=owner, project=projects[n % lanes], body=f"Mesure {n}")
        at = time.time()
        reset_queries()
        [message_id] = Delivery.objects.order_by("-id").values_list("message_id", flat=True)[:1]
        committed[message_id] = at
        time.sleep(pace)
    wait_for(receiver, events)
    stop(running)
    waits = [(receiver.arrivals[key] - at) * 1000 for key, at in committed.items()]
    return percentile(waits, 50), percentile(waits, 99), max(waits)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=800)
    parser.add_argument("--lanes", type=int, default=8)
    parser.add_argument("--paced", type=int, default=100)
    parser.add_argument("--pace", type=float, default=0.25, help="seconds between commits")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/webhooks.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    receiver = Receiver()
    receiver.secret = "whsec_" + "YmVuY2gtc2VjcmV0LWZvci1zaWduaW5nLXRoZS13ZWJob29rcw=="
    load = os.getloadavg()
    print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, load {load}")
    print(
        f"| workers | deliveries/s, {args.events} on {args.lanes} lanes "
        f"| deliveries/s, {args.events // 4} on 1 lane | worker CPU per delivery (ms) "
        "| commit → receiver p50 (ms) | p99 (ms) | max (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for workers in WORKERS:
        rate, cpu = throughput(receiver, workers, args.events, args.lanes)
        serial, _cpu = throughput(receiver, workers, args.events // 4, 1)
        p50, p99, worst = latency(receiver, workers, args.paced, args.lanes, args.pace)
        print(
            f"| {workers} | {rate:.0f} | {serial:.0f} | {cpu:.1f} | {p50:.0f} | {p99:.0f} "
            f"| {worst:.0f} |",
            flush=True,
        )
    assert receiver.rejected == 0, f"{receiver.rejected} signatures did not verify"
    print(f"every signature verified; load at the end {os.getloadavg()}")
    Delivery.objects.all().delete()
    Endpoint.objects.all().delete()
    DBTaskResult.objects.all().delete()


if __name__ == "__main__":
    main()
