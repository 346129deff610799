"""Portfolio benchmark on PostgreSQL: the dashboard's figures at 10,000 projects.

It fills a dedicated database (``incubator_bench`` on 127.0.0.1, created if missing) with
``seed_demo --scale N``, then times, in one run and for the same people, each endpoint
through Django's request handler (middleware, session, permissions, serialisation or
templates included) beside hand-written SQL computing the same figures on the same
connection:

- ``GET /api/portfolio/`` and the dashboard page ``/portfolio/`` vs the portfolio SQL;
- ``GET /api/projects/`` and the page ``/projects/`` (first page of 20) vs the list SQL.

    .venv/bin/python bench/portfolio.py                    # 10,000 projects, 40 runs each
    .venv/bin/python bench/portfolio.py --projects 2000 --runs 20
    .venv/bin/python bench/portfolio.py --fresh            # drop and refill the database
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "incubator_bench"
P95_LIMIT_MS = 300
RATIO_LIMIT = 3


def prepare(fresh: bool) -> None:
    """Point Django at the bench database (production profile, as deployed)."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
    ) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if exists and fresh:
            c.execute(f"DROP DATABASE {DATABASE}")
        if not exists or fresh:
            c.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="incubator.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(projects: int) -> dict:
    from django.core.management import call_command

    from projects.models import Project
    from workflows.models import ChecklistItem, StageTransition

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    started = time.monotonic()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--scale", str(projects), "--force", stdout=quiet)
    seconds = time.monotonic() - started
    with_analyze()
    return {
        "projects": Project.objects.count(),
        "transitions": StageTransition.objects.count(),
        "checklist_items": ChecklistItem.objects.count(),
        "seed_seconds": seconds,
    }


def with_analyze() -> None:
    """Statistics for the planner, and the projects table compacted: the bulk generator
    rewrites each project once per round of moves, which leaves far more dead rows than a
    live database kept by autovacuum."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL projects_project")
        cursor.execute("VACUUM ANALYZE")


# The portfolio figures for someone who reads every project, written by hand: the
# reference the ORM's queries are compared with.
PORTFOLIO_SQL = [
    "SELECT stage, COUNT(*) FROM projects_project GROUP BY stage",
    """SELECT to_stage, COUNT(DISTINCT project_id) FROM workflows_stagetransition
       WHERE to_stage IN ('prototype', 'pilot', 'commons') GROUP BY to_stage""",
    """SELECT grp, COUNT(*), percentile_cont(0.25) WITHIN GROUP (ORDER BY value),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY value),
              percentile_cont(0.75) WITHIN GROUP (ORDER BY value)
       FROM (SELECT t.from_stage AS grp, EXTRACT(EPOCH FROM t.at - COALESCE(
                 LAG(t.at) OVER (PARTITION BY t.project_id ORDER BY t.at, t.id), p.created_at))
                 AS value
             FROM workflows_stagetransition t JOIN projects_project p ON p.id = t.project_id) s
       GROUP BY grp""",
    """SELECT date_trunc('month', at AT TIME ZONE 'Europe/Paris') AS month, name, to_stage,
              COUNT(*)
       FROM workflows_stagetransition GROUP BY 1, 2, 3 ORDER BY 1""",
    """SELECT g.stage, r.status, COUNT(*) FROM workflows_gatereview r
       JOIN workflows_gate g ON g.id = r.gate_id GROUP BY 1, 2""",
    """SELECT g.stage, COUNT(*), percentile_cont(0.25) WITHIN GROUP (ORDER BY w),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY w),
              percentile_cont(0.75) WITHIN GROUP (ORDER BY w)
       FROM (SELECT gate_id, EXTRACT(EPOCH FROM closed_at - opened_at) AS w
             FROM workflows_gatereview
             WHERE status IN ('approved', 'changes_requested', 'rejected')
               AND closed_at IS NOT NULL) r
       JOIN workflows_gate g ON g.id = r.gate_id GROUP BY 1""",
    """SELECT p.stage, c.principle, COUNT(*),
              COUNT(*) FILTER (WHERE i.status = 'verified'
                               OR (i.status = 'not_applicable' AND i.na_accepted))
       FROM workflows_checklistitem i JOIN projects_project p ON p.id = i.project_id
       JOIN workflows_criterion c ON c.id = i.criterion_id GROUP BY 1, 2""",
    """SELECT t.slug, t.name_fr, COUNT(*) FROM projects_project_themes pt
       JOIN projects_theme t ON t.slug = pt.theme_id GROUP BY 1, 2""",
    """SELECT territory_id, t.name, COUNT(*), COUNT(*) OVER () FROM projects_project_territories pt
       JOIN projects_territory t ON t.code = pt.territory_id
       GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 30""",
    """SELECT origin, COUNT(*), COUNT(*) OVER () FROM projects_project WHERE origin <> ''
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30""",
    """SELECT id, title, stage, stage_changed_at, COUNT(*) OVER () FROM projects_project
       WHERE stage IN ('idea', 'prototype', 'pilot')
         AND stage_changed_at < now() - interval '180 days'
       ORDER BY stage_changed_at, id LIMIT 10""",
    """SELECT id, title, stage, stage_changed_at FROM projects_project
       WHERE id IN (SELECT project_id FROM projects_follow WHERE user_id = %(user)s)
          OR id IN (SELECT project_id FROM projects_membership WHERE user_id = %(user)s)
       ORDER BY stage_changed_at DESC, id DESC LIMIT 10""",
]

# The first page of the project list with what each card shows.
LIST_SQL = [
    "SELECT COUNT(*) FROM projects_project",
    """SELECT id, title, summary, origin, stage, visibility, updated_at FROM projects_project
       ORDER BY updated_at DESC, id DESC LIMIT 20""",
    """SELECT pt.project_id, t.slug, t.name_fr FROM projects_project_themes pt
       JOIN projects_theme t ON t.slug = pt.theme_id
       WHERE pt.project_id IN (SELECT id FROM projects_project
                               ORDER BY updated_at DESC, id DESC LIMIT 20)""",
    """SELECT pt.project_id, t.code, t.name FROM projects_project_territories pt
       JOIN projects_territory t ON t.code = pt.territory_id
       WHERE pt.project_id IN (SELECT id FROM projects_project
                               ORDER BY updated_at DESC, id DESC LIMIT 20)""",
    """SELECT m.project_id, m.role, u.id, u.username, u.first_name, u.last_name
       FROM projects_membership m JOIN auth_user u ON u.id = m.user_id
       WHERE m.project_id IN (SELECT id FROM projects_project
                              ORDER BY updated_at DESC, id DESC LIMIT 20)""",
]


def run_sql(statements, user_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"user": user_id})
            cursor.fetchall()


def timed(action, runs: int) -> list[float]:
    for _ in range(3):  # warm caches and the connection
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def get(client, url: str, *, cold: bool = False):
    from django.core.cache import cache

    def action():
        if cold:
            cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return action


def measure(runs: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    funder = get_user_model().objects.get(username="financeuse")
    client = Client()
    client.force_login(funder)
    rows = []
    cases = [
        ("GET /api/portfolio/, computed", "/api/portfolio/", True, PORTFOLIO_SQL),
        ("GET /api/portfolio/, unchanged data (cache)", "/api/portfolio/", False, PORTFOLIO_SQL),
        ("page /portfolio/, computed", "/portfolio/", True, PORTFOLIO_SQL),
        ("page /portfolio/, unchanged data (cache)", "/portfolio/", False, PORTFOLIO_SQL),
        (
            "GET /api/portfolio/?theme=inclusion, computed",
            "/api/portfolio/?theme=inclusion",
            True,
            None,
        ),
        ("GET /api/projects/", "/api/projects/", False, LIST_SQL),
        ("page /projects/", "/projects/", False, LIST_SQL),
    ]
    references = {}
    for label, url, cold, sql in cases:
        app = summary(timed(get(client, url, cold=cold), runs))
        row = {"label": label, "p50": app[0], "p95": app[1]}
        if sql:
            if id(sql) not in references:
                action = lambda statements=sql: run_sql(statements, funder.pk)  # noqa: E731
                references[id(sql)] = summary(timed(action, runs))
            row.update(sql_p50=references[id(sql)][0], sql_p95=references[id(sql)][1])
        rows.append(row)
    return rows


def report(sizes: dict, rows: list[dict]) -> str:
    lines = [
        f"{sizes['projects']} projects, {sizes['transitions']} transitions, "
        f"{sizes['checklist_items']} checklist items",
        "",
        "| request (as a funder) | p50 ms | p95 ms | hand-written SQL p50 | SQL p95 | p95 ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if "sql_p95" in row:
            ratio = row["p95"] / row["sql_p95"]
            sql = f"{row['sql_p50']:.1f} | {row['sql_p95']:.1f} | {ratio:.1f}x"
        else:
            sql = "— | — | —"
        lines.append(f"| {row['label']} | {row['p50']:.1f} | {row['p95']:.1f} | {sql} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    args = parser.parse_args()
    prepare(args.fresh)
    sizes = fill(args.projects)
    print(f"seed_demo --scale {args.projects}: {sizes['seed_seconds']:.0f} s (it only tops up)")
    rows = measure(args.runs)
    print(report(sizes, rows))
    failures = [
        row["label"]
        for row in rows
        if row["p95"] > P95_LIMIT_MS
        or ("sql_p95" in row and row["p95"] > RATIO_LIMIT * max(row["sql_p95"], 1.0))
    ]
    if failures:
        print(f"over {P95_LIMIT_MS} ms p95 or {RATIO_LIMIT}x the SQL: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
