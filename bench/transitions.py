"""Throughput of gate transitions under concurrent reviewers, against a raw-SQL baseline.

Run on demand against a database it may fill (it migrates it and adds its own projects and
people): PostgreSQL, or the embedded SQLite profile when ``DATABASE_URL`` is unset (point
``DATA_DIR`` at a scratch folder):

    DATABASE_URL=postgres://... .venv/bin/python bench/transitions.py [--projects N]
        [--reviewers 1,32] [--workloads same,spread] [--accounts 50000]
    DATA_DIR=/a/scratch/folder .venv/bin/python bench/transitions.py [--projects N]

On SQLite the IMMEDIATE transactions serialise the writers, as the row lock does on
PostgreSQL.

For K concurrent reviewers (1, 8, 32), two workloads:
- ``same``: every reviewer approves every project, in the same order, so all K race on
  each project; exactly one approval may advance it, the others must be refused.
- ``spread``: the projects are shared out, each reviewer approves its own ones.

Each project starts with its prototype checklist verified and a review open (quorum 1), so
one approval completes the conditions. The engine is ``workflows.services.decide``: row
lock, permission and condition checks, decision, audit row with checklist snapshot, next
checklist, events and notifications. The baseline does the same state change in raw SQL
with a conditional UPDATE (the review from open to approved) followed by the audit row and
the stage update, and nothing else. After each run every project must have moved exactly
once. Prints a table of completed transitions per second and the engine/raw ratio.
"""

import argparse
import os
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("DATABASE_POOL_SIZE", "48")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from projects.errors import Conflict  # noqa: E402
from projects.models import Stage  # noqa: E402
from workflows import services  # noqa: E402
from workflows.models import ChecklistItem, Gate, GateReview, ItemStatus, StageTransition  # noqa: E402

User = get_user_model()
REVIEWERS = (1, 8, 32)
RAW_ADVANCE = [
    # The conditional UPDATE decides the winner: only one transaction finds the review open.
    """UPDATE workflows_gatereview SET status = 'approved', closed_at = CURRENT_TIMESTAMP
       WHERE id = %s AND status = 'open' RETURNING project_id""",
    """INSERT INTO workflows_stagetransition
       (project_id, name, from_stage, to_stage, actor_id, at, review_id, rationale, checklist)
       VALUES (%s, 'advance', 'idea', 'prototype', %s, CURRENT_TIMESTAMP, %s,
               'Passage approuvé.', '[]')""",
    """UPDATE projects_project SET stage = 'prototype', stage_changed_at = CURRENT_TIMESTAMP
       WHERE id = %s AND stage = 'idea'""",
]


def people(count: int):
    run = secrets.token_hex(3)
    group = Group.objects.get(name="reviewers")
    owner = User.objects.create_user(f"bench-owner-{run}")
    reviewers = []
    for n in range(count):
        reviewer = User.objects.create_user(f"bench-reviewer-{run}-{n}")
        reviewer.groups.add(group)
        reviewers.append(reviewer)
    return owner, reviewers


def other_accounts(count: int) -> None:
    """Accounts that take no part: a decision reads the few people it concerns, and must
    not read every account of the site to find them."""
    have = User.objects.filter(username__startswith="bench-account-").count()
    User.objects.bulk_create(
        User(username=f"bench-account-{n}", password="!") for n in range(have, count)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, as a live database keeps them


def ready_reviews(owner, count: int) -> list[GateReview]:
    """``count`` projects at idea, checklist verified, a review open: one approval away.
    Set up in bulk: this is the starting state, not what is measured."""
    gate = Gate.objects.get(stage=Stage.PROTOTYPE)
    with transaction.atomic():
        projects = [
            services.propose_project(by=owner, title=f"Banc {n}", summary="Mesure.")
            for n in range(count)
        ]
        ChecklistItem.objects.filter(project__in=projects).update(status=ItemStatus.VERIFIED)
        return GateReview.objects.bulk_create(
            GateReview(project=project, gate=gate, opened_by=owner) for project in projects
        )


def engine_approve(reviewer, review) -> bool:
    try:
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    except Conflict:
        return False
    return True


def raw_approve(reviewer, review) -> bool:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RAW_ADVANCE[0], [review.pk])
        if cursor.fetchone() is None:
            return False
        cursor.execute(RAW_ADVANCE[1], [review.project_id, reviewer.pk, review.pk])
        cursor.execute(RAW_ADVANCE[2], [review.project_id])
    return True


def race(approve, reviewers, reviews, mode: str) -> tuple[float, float]:
    """Every reviewer works in its own thread and connection; returns the elapsed seconds
    from the common start to the last thread's end, and the CPU seconds this process spent
    meanwhile (the Python side: ORM, payloads, channel layer; a loaded machine stretches
    the first, hardly the second)."""
    barrier = threading.Barrier(len(reviewers) + 1)
    errors = []

    def work(index, reviewer):
        mine = reviews if mode == "same" else reviews[index :: len(reviewers)]
        try:
            barrier.wait()
            for review in mine:
                approve(reviewer, review)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(n, reviewer)) for n, reviewer in enumerate(reviewers)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if errors:
        raise SystemExit(f"{approve.__name__} failed: {errors[0]!r}")
    return elapsed, cpu


def exactly_one_each(reviews) -> bool:
    project_ids = [review.project_id for review in reviews]
    moved = StageTransition.objects.filter(project_id__in=project_ids)
    per_project = set(moved.values_list("project_id", flat=True))
    return (
        moved.count() == len(project_ids) == len(per_project)
        and not GateReview.objects.filter(pk__in=[r.pk for r in reviews], status="open").exists()
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=96, help="projects per run")
    parser.add_argument(
        "--reviewers", default=",".join(map(str, REVIEWERS)), help="values of K, e.g. 1,32"
    )
    parser.add_argument("--workloads", default="same,spread", help="same, spread or both")
    parser.add_argument(
        "--accounts", type=int, default=0, help="other accounts the database holds, at least"
    )
    args = parser.parse_args()
    reviewers = [int(k) for k in args.reviewers.split(",")]
    call_command("migrate", verbosity=0)
    other_accounts(args.accounts)
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    owner, everyone = people(max(reviewers))
    rows = []
    began = timezone.now()
    for mode in args.workloads.split(","):
        for k in reviewers:
            figures = {}
            for name, approve in (("engine", engine_approve), ("raw", raw_approve)):
                reviews = ready_reviews(owner, args.projects)
                elapsed, cpu = race(approve, everyone[:k], reviews, mode)
                figures[name] = (
                    len(reviews) / elapsed,
                    1000 * cpu / len(reviews),
                    exactly_one_each(reviews),
                )
            rows.append((mode, k, *figures["engine"], *figures["raw"]))
    header = (
        f"{'workload':<9}{'K':>4}{'engine/s':>11}{'cpu ms':>8}{'ok':>5}"
        f"{'raw/s':>10}{'cpu ms':>8}{'ok':>5}{'ratio':>8}"
    )
    engine = (
        f"PostgreSQL {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    print(f"{args.projects} projects per run, {engine}")
    print(header)
    for mode, k, engine, engine_cpu, engine_ok, raw, raw_cpu, raw_ok in rows:
        print(
            f"{mode:<9}{k:>4}{engine:>11.1f}{engine_cpu:>8.1f}{'yes' if engine_ok else 'NO':>5}"
            f"{raw:>10.1f}{raw_cpu:>8.1f}{'yes' if raw_ok else 'NO':>5}{engine / raw:>8.2f}"
        )
    print(f"total {(timezone.now() - began).total_seconds():.0f} s")
    if not all(row[4] and row[7] for row in rows):
        raise SystemExit("a gate moved more or less than once")


if __name__ == "__main__":
    main()
