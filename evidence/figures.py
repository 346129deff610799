"""The portfolio's openness figures, from each project's latest finished scan.

Every function takes a queryset of the projects the person may read (the portfolio passes
its selection, visibility applied) and runs a fixed number of aggregate queries whatever
the number of projects. A project's "latest scan" is its latest finished one (``done`` or
``refused``); a scan under way does not count yet.
"""

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone

from projects.models import Stage

from .checks import LABELS
from .models import CheckResult, Outcome, RepositoryScan

OPEN_STAGES = (Stage.PILOT, Stage.COMMONS)
STALE_DAYS = 30  # a latest scan older than this is "older than a month"
LISTED = 10
ALL_CHECKS = [code for code in LABELS if code != "repository"]


def with_latest_scan(projects: QuerySet) -> QuerySet:
    """The projects annotated with ``latest_scan``: the id of their latest finished scan."""
    latest = (
        RepositoryScan.objects.filter(project=OuterRef("pk"))
        .exclude(status__in=RepositoryScan.ACTIVE)
        .order_by("-requested_at", "-id")
        .values("pk")[:1]
    )
    return projects.order_by().annotate(latest_scan=Subquery(latest))


def _latest_scans(projects: QuerySet) -> QuerySet:
    return with_latest_scan(projects).exclude(latest_scan=None).values("latest_scan")


def openness(projects: QuerySet, *, now=None) -> dict:
    """``checks``: per check, among the pilot and commons projects, how many were scanned
    and how many passed, failed or are not concerned, and the share passing among those
    scanned; ``licences``: the licences found by the latest scans of every project, most
    used first; ``attention``: the projects with a repository whose latest scan failed or
    is older than ``STALE_DAYS`` (and how many were never scanned). Four queries."""
    now = now or timezone.now()
    open_projects = projects.filter(stage__in=OPEN_STAGES)
    counted = open_projects.count()
    scans = _latest_scans(open_projects)
    done = RepositoryScan.objects.filter(pk__in=scans, status=RepositoryScan.Status.DONE)
    rows = (
        CheckResult.objects.filter(scan__in=done.values("pk"), check_code__in=ALL_CHECKS)
        .values_list("check_code", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: dict[str, dict] = {}
    for code, outcome, n in rows:
        cells.setdefault(code, {})[outcome] = n
    checks = []
    for code in ALL_CHECKS:
        cell = cells.get(code, {})
        scanned = sum(cell.values())
        passing = cell.get(Outcome.PASS, 0)
        checks.append(
            {
                "check": code,
                "label": str(LABELS[code]),
                "projects": counted,
                "scanned": scanned,
                "passed": passing,
                "failed": cell.get(Outcome.FAIL, 0),
                "not_applicable": cell.get(Outcome.NOT_APPLICABLE, 0),
                "share": round(passing / scanned, 4) if scanned else None,
            }
        )
    licences = (
        CheckResult.objects.filter(
            scan__in=_latest_scans(projects), check_code="licence", outcome=Outcome.PASS
        )
        .values_list("value__spdx")
        .annotate(n=Count("pk"))
        .order_by("-n", "value__spdx")
    )
    return {
        "checks": checks,
        "licences": [{"spdx": spdx, "count": n} for spdx, n in licences if spdx],
        "attention": attention(projects, now=now),
    }


def attention(projects: QuerySet, *, now=None) -> dict:
    """The projects with a repository whose latest finished scan failed or is older than a
    month, longest waiting first; and how many have never been scanned."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=STALE_DAYS)
    latest = RepositoryScan.objects.filter(pk=OuterRef("latest_scan"))
    with_repository = with_latest_scan(projects.exclude(repository_url=""))
    annotated = with_repository.annotate(
        scan_status=Subquery(latest.values("status")),
        scanned_at=Subquery(latest.values("finished_at")),
        refusal_code=Subquery(latest.values("refusal_code")),
    )
    rows = list(
        annotated.filter(Q(scan_status=RepositoryScan.Status.REFUSED) | Q(scanned_at__lt=cutoff))
        .annotate(total=Window(Count("pk")))
        .values("id", "title", "stage", "scan_status", "scanned_at", "refusal_code", "total")
        .order_by("scanned_at", "id")[:LISTED]
    )
    return {
        "days": STALE_DAYS,
        "count": rows[0]["total"] if rows else 0,
        "never_scanned": with_repository.filter(latest_scan=None).count(),
        "projects": [
            {
                "id": row["id"],
                "title": row["title"],
                "stage": row["stage"],
                "status": row["scan_status"],
                "scanned_at": row["scanned_at"],
                "refusal_code": row["refusal_code"],
                "why": "failed" if row["scan_status"] == RepositoryScan.Status.REFUSED else "old",
            }
            for row in rows
        ],
    }


def export_columns(projects: QuerySet) -> dict[int, dict]:
    """project id -> its latest finished scan in a few columns: status, date, the licence
    found, the checks passed and failed (projects never scanned are left out). Two
    queries."""
    scans = _latest_scans(projects)
    out: dict[int, dict] = {}
    for project_id, status, finished in RepositoryScan.objects.filter(pk__in=scans).values_list(
        "project_id", "status", "finished_at"
    ):
        out[project_id] = {
            "scan_status": status,
            "scanned_at": finished,
            "licence_found": "",
            "checks_passed": [],
            "checks_failed": [],
        }
    results = (
        CheckResult.objects.filter(scan__in=scans)
        .values_list("scan__project_id", "check_code", "outcome", "value__spdx")
        .order_by("scan__project_id", "check_code")
    )
    for project_id, code, outcome, spdx in results:
        row = out[project_id]
        if code == "licence" and outcome == Outcome.PASS and spdx:
            row["licence_found"] = str(spdx)
        if outcome == Outcome.PASS:
            row["checks_passed"].append(code)
        elif outcome == Outcome.FAIL:
            row["checks_failed"].append(code)
    return out
