"""The portfolio figures: every number is computed by the database.

``figures(user, filters)`` runs a fixed number of aggregate queries, whatever the number of
projects. Each query starts from the projects ``user`` may read (``visible_to``) narrowed by
the filters, passed to the database as a subquery, so nothing restricted is ever counted
for someone who may not read it. Medians and quartiles use ``percentile_cont`` on
PostgreSQL and the same linear interpolation over ``ROW_NUMBER()`` on SQLite. Results are
cached under a fingerprint of the data, so an unchanged portfolio is not recomputed.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Window
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from commons.models import Commons, RenewalStatus, Reuse
from commons.read import renewal_due_after
from evidence import figures as openness
from evidence.models import CheckResult, RepositoryScan
from projects import access
from projects.models import (
    PATH,
    TRANSITIONS,
    Follow,
    Hold,
    Membership,
    Project,
    ProjectEvent,
    ProjectUserObjectPermission,
    Stage,
    Theme,
)
from workflows.models import (
    ChecklistItem,
    Condition,
    GateReview,
    GateStage,
    ItemStatus,
    Lesson,
    Principle,
    StageTransition,
)

# A project that has not changed stage for this long is "dormant" (commons and archived
# projects are at rest by design and never count).
DEFAULT_STALE_DAYS = 180
LISTED = 10  # rows in the dormant and followed lists
MONTHS = 36  # length of the monthly series
CACHE_SECONDS = 300
BREAKDOWN_ROWS = 30  # most frequent territories and origins listed ("distinct" counts all)
QUARTILES = (0.25, 0.5, 0.75)
DECIDED = (
    GateReview.Status.APPROVED,
    GateReview.Status.CHANGES_REQUESTED,
    GateReview.Status.REJECTED,
)
# The scan columns of a project never scanned.
NOT_SCANNED = {
    "scan_status": "",
    "scanned_at": None,
    "licence_found": "",
    "checks_passed": [],
    "checks_failed": [],
}
MET = Q(status=ItemStatus.VERIFIED) | Q(status=ItemStatus.NOT_APPLICABLE, na_accepted=True)


@dataclass(frozen=True)
class Filters:
    """``selection``: projects already narrowed by the project list's filters (None: all);
    ``since``/``until``: the period in which the projects were proposed."""

    selection: QuerySet | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    stale_days: int = DEFAULT_STALE_DAYS


def projects_for(user, filters: Filters) -> QuerySet:
    """The projects ``user`` may read among the selection, proposed in the period. Visibility
    is applied here whatever the selection, so no figure can count a hidden project."""
    projects = Project.objects.visible_to(user)
    if filters.selection is not None:
        projects = projects.filter(pk__in=filters.selection.values("pk"))
    if filters.since:
        projects = projects.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        projects = projects.filter(
            created_at__lt=_start_of(filters.until + datetime.timedelta(days=1))
        )
    return projects.order_by()


class Scope:
    """Restricts a query to the selected projects, or not at all when the selection is every
    project (someone who reads everything, no filter): no subquery to pay for then."""

    def __init__(self, projects: QuerySet | None):
        self.ids = None if projects is None else projects.values("pk")

    def filter(self, queryset: QuerySet, field: str = "project") -> QuerySet:
        return queryset if self.ids is None else queryset.filter(**{f"{field}__in": self.ids})

    def sql(self, column: str) -> tuple[str, tuple]:
        if self.ids is None:
            return "TRUE", ()
        ids_sql, params = self.ids.query.sql_with_params()
        return f"{column} IN ({ids_sql})", params


def scope_for(user, filters: Filters) -> Scope:
    everything = (
        access.can_see_everything(user)
        and filters.selection is None
        and not (filters.since or filters.until)
    )
    return Scope(None if everything else projects_for(user, filters))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def figures(user, filters: Filters) -> dict:
    """Every figure of the dashboard for ``user``'s projects matching ``filters``.

    Served from the cache while the portfolio's fingerprint is unchanged (at most
    ``CACHE_SECONDS``), so a dashboard polled by many people costs one small query."""
    scope = scope_for(user, filters)
    key = _cache_key(scope, user, filters)
    cached = cache.get(key)
    if cached is None:
        cached = _figures(scope, user, filters)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _cache_key(scope: Scope, user, filters: Filters) -> str:
    """What the figures depend on: the selection (its SQL carries the person's visibility),
    the person (the followed list), the threshold, the language (theme names), and the
    state of the data. Every workflow write records a ProjectEvent; edits of a project bump
    its ``updated_at``; team and follow changes alter those tables' counts."""
    tables = {
        "max": [
            ProjectEvent,
            StageTransition,
            GateReview,
            ChecklistItem,
            Follow,
            ProjectUserObjectPermission,
            RepositoryScan,
            CheckResult,  # a scan's end writes its results
        ],
        # Commons rows are created by the clock without an event of their own.
        "count": [Project, ProjectUserObjectPermission, Follow, Commons],
    }
    columns = [f"(SELECT MAX(id) FROM {m._meta.db_table})" for m in tables["max"]]
    columns += [f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in tables["count"]]
    columns.append(f"(SELECT MAX(updated_at) FROM {Project._meta.db_table})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}")
        state = cursor.fetchone()
    selection = "all" if scope.ids is None else str(scope.ids.query)
    # The day too: an open condition becomes overdue, a commons due soon, at midnight.
    today = timezone.localdate().isoformat()
    parts = [selection, user.pk, filters.stale_days, get_language(), today, *state]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"portfolio:{digest}"


def _figures(scope: Scope, user, filters: Filters) -> dict:
    projects = scope.filter(Project.objects.order_by(), "pk")
    by_stage = dict(projects.values_list("stage").annotate(n=Count("pk")))
    stage_counts = [{"stage": s.value, "count": by_stage.get(s.value, 0)} for s in Stage]
    total = sum(by_stage.values())
    return {
        "total": total,
        "stages": stage_counts,
        "funnel": _funnel(scope, total),
        "time_in_stage": _time_in_stage(scope),
        "transitions_per_month": _transitions_per_month(scope),
        "reviews": _reviews(scope),
        "compliance": _compliance(scope),
        "themes": _themes(scope),
        "territories": _territories(scope),
        "origins": _origins(projects),
        "dormant": _dormant(projects, filters.stale_days),
        "followed": _followed(projects, user),
        "reuses": _reuses(scope),
        "commons": _commons(scope),
        "holds": _holds(scope),
        "conditions": _conditions(scope),
        "lessons": _lessons(scope),
        "openness": openness.openness(projects),
    }


def _reuses(scope: Scope) -> dict:
    """Reuses by territory and by project, by status (refused ones are not reuses)."""
    reuses = scope.filter(Reuse.objects.exclude(status=Reuse.Status.REFUSED).order_by())
    by_territory: dict[str, dict] = {}
    for code, name, status, n in reuses.values_list(
        "territory_id", "territory__name", "status"
    ).annotate(n=Count("pk")):
        row = by_territory.setdefault(
            code, {"code": code, "name": name, "verified": 0, "declared": 0, "lapsed": 0}
        )
        row[status] = n
    by_project: dict[int, dict] = {}
    for pk, title, status, n in reuses.values_list(
        "project_id", "project__title", "status"
    ).annotate(n=Count("pk")):
        row = by_project.setdefault(
            pk, {"id": pk, "title": title, "verified": 0, "declared": 0, "lapsed": 0}
        )
        row[status] = n

    def order(row):
        return (-row["verified"], -row["declared"], str(row.get("code", row.get("title"))))

    return {
        "territories": sorted(by_territory.values(), key=order),
        "projects": sorted(by_project.values(), key=order)[:BREAKDOWN_ROWS],
        "verified": sum(row["verified"] for row in by_territory.values()),
    }


DUE_SOON_DAYS = 60


def _commons(scope: Scope) -> dict:
    """Commons by renewal status, and those due within ``DUE_SOON_DAYS`` (a commons without
    its row yet is renewed, due a term after graduation)."""
    commons = scope.filter(Project.objects.filter(stage=Stage.COMMONS).order_by(), "pk")
    counts = dict.fromkeys(RenewalStatus.values, 0)
    due = 0
    for status, renewal_due, changed in commons.values_list(
        "commons__status", "commons__renewal_due", "stage_changed_at"
    ):
        status, renewal_due = renewal_of(status, renewal_due, changed)
        counts[status] += 1
        due += due_soon(status, renewal_due)
    return {**counts, "due_soon": due, "due_soon_days": DUE_SOON_DAYS}


def renewal_of(status, renewal_due, stage_changed_at) -> tuple[str, datetime.date]:
    """A commons' renewal status and date; without its row yet, renewed and due a term after
    its graduation."""
    return (
        status or RenewalStatus.RENEWED,
        renewal_due or renewal_due_after(timezone.localdate(stage_changed_at)),
    )


def due_soon(status: str, renewal_due: datetime.date) -> bool:
    """Renewed or at risk, and due within ``DUE_SOON_DAYS`` (or already past due)."""
    soon = timezone.localdate() + datetime.timedelta(days=DUE_SOON_DAYS)
    return status != RenewalStatus.DORMANT and renewal_due <= soon


IN_FORCE = Q(placed_at__isnull=False, lifted_at__isnull=True)


def _holds(scope: Scope) -> dict:
    """Projects on hold (a hold in force), those whose revisit date has come, the holds a
    reviewer proposed that wait for their quorum, and the held projects, soonest revisit
    first."""
    today = timezone.localdate()
    live = scope.filter(Hold.objects.filter(lifted_at__isnull=True).order_by())
    counts = live.aggregate(
        count=Count("pk", filter=Q(placed_at__isnull=False)),
        revisit_due=Count("pk", filter=Q(placed_at__isnull=False, revisit_on__lte=today)),
        proposed=Count("pk", filter=Q(placed_at__isnull=True)),
    )
    rows = live.filter(placed_at__isnull=False).values_list(
        "project_id", "project__title", "project__stage", "revisit_on", "placed_at"
    )
    return {
        **counts,
        "projects": [
            {
                "id": pk,
                "title": title,
                "stage": stage,
                "revisit_on": revisit_on,
                "placed_at": placed_at,
            }
            for pk, title, stage, revisit_on, placed_at in rows.order_by(
                "revisit_on", "project_id"
            )[:LISTED]
        ],
    }


def _overdue() -> Q:
    """Past their due date and neither met nor waived: missed by the clock, or still open
    when the clock has not passed yet."""
    return Q(status=Condition.Status.MISSED) | Q(
        status=Condition.Status.OPEN, due_on__lt=timezone.localdate()
    )


def _conditions(scope: Scope) -> dict:
    """Conditions of approvals by state (``overdue``: see ``_overdue``), and the projects
    with overdue conditions, the longest overdue first."""
    conditions = scope.filter(Condition.objects.order_by())
    overdue = _overdue()
    counts = conditions.aggregate(
        open=Count("pk", filter=Q(status=Condition.Status.OPEN) & ~overdue),
        overdue=Count("pk", filter=overdue),
        met=Count("pk", filter=Q(status=Condition.Status.MET)),
        waived=Count("pk", filter=Q(status=Condition.Status.WAIVED)),
    )
    rows = list(
        conditions.filter(overdue)
        .values("project_id", "project__title", "project__stage")
        .annotate(n=Count("pk"), due_on=Min("due_on"), total=Window(Count("*")))
        .order_by("due_on", "project_id")[:LISTED]
    )
    return {
        **counts,
        "projects_overdue": rows[0]["total"] if rows else 0,
        "projects": [
            {
                "id": row["project_id"],
                "title": row["project__title"],
                "stage": row["project__stage"],
                "overdue": row["n"],
                "due_on": row["due_on"],
            }
            for row in rows
        ],
    }


def _lessons(scope: Scope) -> dict:
    """The lessons of composted projects (their public index lists them all), the latest
    first."""
    rows = list(
        scope.filter(Lesson.objects.all())
        .annotate(total=Window(Count("*")))
        .values("project_id", "project__title", "at", "total")
        .order_by("-at", "-id")[:LISTED]
    )
    return {
        "count": rows[0]["total"] if rows else 0,
        "latest": [
            {"id": row["project_id"], "title": row["project__title"], "at": row["at"]}
            for row in rows
        ],
    }


def _funnel(scope: Scope, total: int) -> list[dict]:
    """How many projects ever reached each stage of the path, and the share of those
    that went on to the next one."""
    reached = dict(
        scope.filter(StageTransition.objects.filter(to_stage__in=PATH[1:]))
        .values_list("to_stage")
        .annotate(n=Count("project", distinct=True))
        .order_by()
    )
    reached[Stage.IDEA.value] = total
    steps = []
    for before, stage in zip((None, *PATH), PATH, strict=False):
        count = reached.get(stage.value, 0)
        previous = reached.get(before.value, 0) if before else None
        steps.append(
            {
                "stage": stage.value,
                "reached": count,
                "conversion": round(count / previous, 4) if previous else None,
            }
        )
    return steps


def _time_in_stage(scope: Scope) -> list[dict]:
    """Median and quartiles, in days, of the completed stays in each stage: a stay ends with
    a transition out of the stage and starts at the previous transition (or the proposal)."""
    where, params = scope.sql("t.project_id")
    seconds = _seconds_between(
        "COALESCE(LAG(t.at) OVER (PARTITION BY t.project_id ORDER BY t.at, t.id), p.created_at)",
        "t.at",
    )
    stays = f"""
        SELECT t.from_stage AS grp, {seconds} AS value
        FROM workflows_stagetransition t
        JOIN projects_project p ON p.id = t.project_id
        WHERE {where}"""
    stats = _quartiles(stays, params)
    return [
        {"stage": stage.value, **_in_days(stats.get(stage.value))}
        for stage in (*PATH, Stage.ARCHIVED)
    ]


def _transitions_per_month(scope: Scope) -> list[dict]:
    """Per month of the last ``MONTHS``: the passages of each gate, and the other moves."""
    rows = (
        scope.filter(StageTransition.objects.filter(at__gte=first_month()))
        .annotate(month=TruncMonth("at"))
        .values_list("month", "name", "to_stage")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    months: dict[str, dict] = {}
    for month, name, to_stage, n in rows:
        key = month.strftime("%Y-%m")
        row = months.setdefault(key, {"month": key, **dict.fromkeys(MOVES, 0)})
        row[to_stage if name == "advance" else name] += n
    return list(months.values())


# The monthly series' columns: an advance counts as the passage of its gate.
MOVES = (*GateStage.values, *(name for name in TRANSITIONS if name != "advance"))


def first_month() -> datetime.datetime:
    """The start of the oldest month the monthly series shows."""
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return _start_of(datetime.date(months // 12, months % 12 + 1, 1))


def _reviews(scope: Scope) -> list[dict]:
    """Gate review outcomes per gate, and the median days from opening to decision."""
    counts = (
        scope.filter(GateReview.objects.all())
        .values_list("gate__stage", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table = {gate: dict.fromkeys(GateReview.Status.values, 0) for gate in GateStage.values}
    for gate, status, n in counts:
        table[gate][status] = n
    where, params = scope.sql("r.project_id")
    statuses = ", ".join(f"'{status}'" for status in DECIDED)
    decided = f"""
        SELECT g.stage AS grp, {_seconds_between("r.opened_at", "r.closed_at")} AS value
        FROM workflows_gatereview r JOIN workflows_gate g ON g.id = r.gate_id
        WHERE r.status IN ({statuses}) AND r.closed_at IS NOT NULL
          AND {where}"""
    stats = _quartiles(decided, params)
    return [
        {"gate": gate, "outcomes": table[gate], "decision_days": _in_days(stats.get(gate))}
        for gate in GateStage.values
    ]


def _compliance(scope: Scope) -> list[dict]:
    """Per stage of the project and principle: the share of checklist criteria verified
    (or accepted as not applicable) among all the criteria handed out."""
    rows = (
        scope.filter(ChecklistItem.objects.all())
        .values_list("project__stage", "criterion__principle")
        .annotate(total=Count("pk"), met=Count("pk", filter=MET))
        .order_by()
    )
    cells = {(stage, principle): (total, met) for stage, principle, total, met in rows}
    result = []
    for stage in Stage.values:
        for principle in Principle.values:
            total, met = cells.get((stage, principle), (0, 0))
            result.append(
                {
                    "stage": stage,
                    "principle": principle,
                    "verified": met,
                    "total": total,
                    "share": round(met / total, 4) if total else None,
                }
            )
    return result


def _themes(scope: Scope) -> list[dict]:
    counts = dict(
        scope.filter(Project.themes.through.objects.all(), "project_id")
        .values_list("theme_id")
        .annotate(n=Count("project_id"))
        .order_by()
    )
    return [
        {"slug": theme.slug, "name": theme.localized("name"), "count": counts[theme.slug]}
        for theme in Theme.objects.filter(slug__in=counts)
    ]


def _territories(scope: Scope) -> dict:
    rows = list(
        scope.filter(Project.territories.through.objects.all(), "project_id")
        .values_list("territory_id", "territory__name")
        .annotate(n=Count("project_id"), distinct=Window(Count("*")))
        .order_by("-n", "territory_id")[:BREAKDOWN_ROWS]
    )
    return {
        "rows": [{"code": code, "name": name, "count": n} for code, name, n, _ in rows],
        "distinct": rows[0][3] if rows else 0,
    }


def _origins(projects) -> dict:
    rows = list(
        projects.exclude(origin="")
        .values_list("origin")
        .annotate(n=Count("pk"), distinct=Window(Count("*")))
        .order_by("-n", "origin")[:BREAKDOWN_ROWS]
    )
    return {
        "rows": [{"origin": origin, "count": n} for origin, n, _ in rows],
        "distinct": rows[0][2] if rows else 0,
    }


def _dormant(projects, stale_days: int) -> dict:
    """Projects on the path that have not changed stage for ``stale_days`` days, oldest first."""
    cutoff = timezone.now() - datetime.timedelta(days=stale_days)
    rows = list(
        projects.filter(
            stage__in=[Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT], stage_changed_at__lt=cutoff
        )
        .annotate(total=Window(Count("pk")))
        .values("id", "title", "stage", "stage_changed_at", "total")
        .order_by("stage_changed_at", "id")[:LISTED]
    )
    return {
        "days": stale_days,
        "count": rows[0]["total"] if rows else 0,
        "projects": [_listed(row) for row in rows],
    }


def _followed(projects, user) -> list[dict]:
    """The projects ``user`` follows or works on, most recently moved first."""
    if not user.is_authenticated:
        return []
    followed = Follow.objects.filter(user_id=user.pk).values("project_id")
    team = Membership.objects.filter(user_id=user.pk).values("project_id")
    rows = (
        projects.filter(Q(pk__in=followed) | Q(pk__in=team))
        .values("id", "title", "stage", "stage_changed_at")
        .order_by("-stage_changed_at", "-id")[:LISTED]
    )
    return [_listed(row) for row in rows]


def _listed(row: dict) -> dict:
    return {
        "id": row["id"],
        "title": row["title"],
        "stage": row["stage"],
        "stage_changed_at": row["stage_changed_at"],
    }


def export_rows(user, filters: Filters) -> list[dict]:
    """One row per project: stage, dates, first arrival in each stage of the path, the
    share of criteria verified per principle, its reuses by status and the territories of
    the verified ones, a hold in force, its conditions open and overdue, its lessons, a
    commons' renewal status and date, and its latest repository scan. Twelve queries
    whatever the number of projects."""
    scope = scope_for(user, filters)
    projects = scope.filter(Project.objects.order_by(), "pk")
    reached = {
        (project_id, stage): at
        for project_id, stage, at in scope.filter(
            StageTransition.objects.filter(to_stage__in=PATH[1:])
        )
        .values_list("project_id", "to_stage")
        .annotate(at=Min("at"))
        .order_by()
    }
    compliance = {
        (project_id, principle): (met, total)
        for project_id, principle, total, met in scope.filter(ChecklistItem.objects.all())
        .values_list("project_id", "criterion__principle")
        .annotate(total=Count("pk"), met=Count("pk", filter=MET))
        .order_by()
    }
    themes = _pairs(scope.filter(Project.themes.through.objects.all(), "project_id"), "theme_id")
    territories = _pairs(
        scope.filter(Project.territories.through.objects.all(), "project_id"), "territory_id"
    )
    reuses = {
        (project_id, status): n
        for project_id, status, n in scope.filter(Reuse.objects.all())
        .values_list("project_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    reuse_territories = _pairs(
        scope.filter(Reuse.objects.filter(status=Reuse.Status.VERIFIED)).order_by().distinct(),
        "territory_id",
    )
    held = dict(
        scope.filter(Hold.objects.filter(IN_FORCE))
        .values_list("project_id", "revisit_on")
        .order_by()
    )
    overdue = _overdue()
    conditions = {
        project_id: (open_, late)
        for project_id, open_, late in scope.filter(Condition.objects.all())
        .values_list("project_id")
        .annotate(
            open=Count("pk", filter=Q(status=Condition.Status.OPEN) & ~overdue),
            late=Count("pk", filter=overdue),
        )
        .order_by()
    }
    lessons = dict(
        scope.filter(Lesson.objects.all())
        .values_list("project_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    scans = openness.export_columns(projects)
    rows = []
    for project in projects.values(
        "id",
        "title",
        "stage",
        "visibility",
        "origin",
        "created_at",
        "stage_changed_at",
        "commons__status",
        "commons__renewal_due",
    ).order_by("id"):
        pk = project["id"]
        status = project.pop("commons__status")
        renewal_due = project.pop("commons__renewal_due")
        row = {
            **project,
            "themes": sorted(themes.get(pk, ())),
            "territories": sorted(territories.get(pk, ())),
        }
        for stage in PATH[1:]:
            row[f"reached_{stage.value}_at"] = reached.get((pk, stage.value))
        for principle in Principle.values:
            met, total = compliance.get((pk, principle), (0, 0))
            row[f"compliance_{principle}"] = round(met / total, 4) if total else None
        for kind in ("verified", "declared", "lapsed"):
            row[f"reuses_{kind}"] = reuses.get((pk, kind), 0)
        row["reuse_territories"] = sorted(reuse_territories.get(pk, ()))
        row["on_hold"] = pk in held
        row["hold_revisit_on"] = held.get(pk)
        row["conditions_open"], row["conditions_overdue"] = conditions.get(pk, (0, 0))
        row["lessons"] = lessons.get(pk, 0)
        if row["stage"] == Stage.COMMONS:
            status, renewal_due = renewal_of(status, renewal_due, row["stage_changed_at"])
            row["renewal_status"] = status
            row["renewal_due"] = renewal_due
            row["renewal_due_soon"] = due_soon(status, renewal_due)
        else:
            row.update(renewal_status="", renewal_due=None, renewal_due_soon=False)
        row.update(scans.get(pk, NOT_SCANNED))
        rows.append(row)
    return rows


def _pairs(through, column: str) -> dict[int, list[str]]:
    pairs: dict[int, list[str]] = {}
    for project_id, value in through.values_list("project_id", column):
        pairs.setdefault(project_id, []).append(value)
    return pairs


def _seconds_between(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        # date_part gives a double, as percentile_cont takes it: EXTRACT's numeric would be
        # sorted, then converted, at several times the cost.
        return f"date_part('epoch', ({end}) - ({start}))"
    return f"(julianday({end}) - julianday({start})) * 86400.0"


def _quartiles(rows_sql: str, params) -> dict[str, tuple]:
    """``{grp: (count, p25, p50, p75)}`` over ``rows_sql`` (columns ``grp``, ``value``),
    interpolated linearly like ``percentile_cont``."""
    if connection.vendor == "postgresql":
        columns = ", ".join(
            f"percentile_cont({q}) WITHIN GROUP (ORDER BY value)" for q in QUARTILES
        )
        sql = f"SELECT grp, COUNT(*), {columns} FROM ({rows_sql}) s GROUP BY grp"
    else:
        # Position of quantile q among n sorted values (0-based): q * (n - 1); the value is
        # the one at the floor plus the fraction of the gap to the next one.
        columns = ", ".join(
            f"""SUM(CASE WHEN i = CAST({q} * (n - 1) AS INTEGER)
                     THEN value * (1 - ({q} * (n - 1) - CAST({q} * (n - 1) AS INTEGER)))
                     WHEN i = CAST({q} * (n - 1) AS INTEGER) + 1
                     THEN value * ({q} * (n - 1) - CAST({q} * (n - 1) AS INTEGER))
                     ELSE 0 END)"""
            for q in QUARTILES
        )
        sql = f"""
            SELECT grp, n, {columns} FROM (
                SELECT grp, value,
                       ROW_NUMBER() OVER (PARTITION BY grp ORDER BY value) - 1 AS i,
                       COUNT(*) OVER (PARTITION BY grp) AS n
                FROM ({rows_sql}) s
            ) ranked GROUP BY grp, n"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _in_days(stats: tuple | None) -> dict:
    if not stats:
        return {"count": 0, "p25": None, "median": None, "p75": None}
    count, *values = stats
    p25, median, p75 = (round(float(v) / 86400, 1) for v in values)
    return {"count": count, "p25": p25, "median": median, "p75": p75}
