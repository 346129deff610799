"""Scanning a project's repository: asked for by a person (``request_scan``), or by the
system when the repository address changes, a gate review opens or the clock says so
(``enqueue_scan``); run by a worker (``run_queued_scan``) and stored append-only.

The clone runs outside any database transaction: a scan takes seconds to a minute, and
the project's row is locked only to queue it (one active scan per project), to start it
and to store its results. Each change of status is a ``scan.updated`` event of the
project's stream.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from interop import publiccode
from projects import access, events
from projects.errors import Conflict, Invalid, NotFound, ServiceError
from projects.models import Project, Stage

from . import git, safety
from .checks import LABELS, failed, passed
from .checks.publiccode import NAMES as PUBLICCODE_NAMES
from .checks.registry import run_checks
from .errors import Refusal
from .models import CheckResult, Exemption, Outcome, RepositoryScan


class ScanRateLimited(ServiceError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(
            _("Trop d'analyses demandées. Réessayez dans %(seconds)s s.")
            % {"seconds": retry_after},
            retry_after=retry_after,
        )


def can_request_scan(user, project: Project) -> bool:
    """The team (and curators) and the reviewers may ask for a scan."""
    return access.can_edit(user, project) or access.can_review(user, project)


def _retry_after(scans, count: int, seconds: int, now) -> int | None:
    recent = list(
        scans.filter(requested_at__gt=now - timedelta(seconds=seconds))
        .order_by("-requested_at")
        .values_list("requested_at", flat=True)[:count]
    )
    if len(recent) < count:
        return None
    retry = recent[-1] + timedelta(seconds=seconds) - now
    return max(1, int(retry.total_seconds() + 0.999))


def running_limit() -> timedelta:
    """How long a scan may run before it is taken for dead: the clone's and ``reuse``'s
    time limits, twice over, and a minute for the checks."""
    return timedelta(seconds=2 * (settings.EVIDENCE_TIMEOUT + settings.EVIDENCE_REUSE_TIMEOUT) + 60)


def scan_summary(scan: RepositoryScan) -> dict:
    """What the ``scan.updated`` event carries: the scan without its results."""
    return {
        "id": scan.pk,
        "status": scan.status,
        "trigger": scan.trigger,
        "commit": scan.commit,
        "requested_at": scan.requested_at,
        "started_at": scan.started_at,
        "finished_at": scan.finished_at,
        "refusal_code": scan.refusal_code,
        "refusal_reason": scan.refusal_reason,
    }


def _announce(project: Project, scan: RepositoryScan) -> None:
    """Record the scan's new status in the project's stream (the caller holds the lock)."""
    events.record_event(project, events.SCAN_UPDATED, scan.pk, scan_summary(scan))


def _close_stale(project: Project, now) -> list[RepositoryScan]:
    """Scans whose worker died: one still running past ``running_limit``, or one queued
    past ``EVIDENCE_QUEUE_TIMEOUT`` (no worker took it), is finished as refused with the
    reason, so it neither blocks the project nor stays ambiguous. The caller holds the
    project's lock."""
    closed = []
    stale = project.scans.filter(
        Q(status=RepositoryScan.Status.RUNNING, started_at__lt=now - running_limit())
        | Q(
            status=RepositoryScan.Status.QUEUED,
            requested_at__lt=now - timedelta(seconds=settings.EVIDENCE_QUEUE_TIMEOUT),
        )
    )
    for scan in stale:
        refusal = Refusal(
            "interrupted" if scan.status == RepositoryScan.Status.RUNNING else "expired"
        )
        scan.status = RepositoryScan.Status.REFUSED
        scan.finished_at = now
        scan.refusal_code = refusal.code
        scan.refusal_reason = refusal.reason
        CheckResult.objects.create(
            scan=scan,
            check_code="repository",
            outcome=Outcome.FAIL,
            value={"error": refusal.code, "reason": refusal.reason},
        )
        scan.save()
        _announce(project, scan)
        closed.append(scan)
    return closed


def close_stale_scans(now=None) -> int:
    """Close the stale scans of every project (the clock's job); returns how many."""
    now = now or timezone.now()
    projects = set(
        RepositoryScan.objects.filter(
            Q(status=RepositoryScan.Status.RUNNING, started_at__lt=now - running_limit())
            | Q(
                status=RepositoryScan.Status.QUEUED,
                requested_at__lt=now - timedelta(seconds=settings.EVIDENCE_QUEUE_TIMEOUT),
            )
        ).values_list("project_id", flat=True)
    )
    closed = 0
    for project_id in sorted(projects):
        with transaction.atomic():
            project = Project.objects.select_for_update().filter(pk=project_id).first()
            if project is not None:
                closed += len(_close_stale(project, now))
    return closed


def _locked_project(project_id: int) -> Project:
    try:
        return Project.objects.select_for_update().get(pk=project_id)
    except Project.DoesNotExist:
        raise NotFound() from None


def _check_limits(project: Project, by, now) -> None:
    if by is None:
        return
    for scans, (count, seconds) in (
        (project.scans.all(), settings.EVIDENCE_RATE_PROJECT),
        (RepositoryScan.objects.filter(requested_by=by), settings.EVIDENCE_RATE_PERSON),
    ):
        retry = _retry_after(scans, count, seconds, now)
        if retry is not None:
            raise ScanRateLimited(retry)


def _require_repository(project: Project) -> None:
    if not project.repository_url:
        raise Conflict(_("Ce projet n'a pas d'adresse de dépôt."), code="no_repository")


def enqueue_scan(*, project_id: int, by=None, trigger=RepositoryScan.Trigger.ASKED):
    """Queue a scan of the project's repository for a worker; ``(scan, created)``.

    One active scan per project: while one is queued or running, it is the answer
    (``created`` false), whoever asks. A person's requests count towards the rate limits
    (per project and per person); the system's (``by=None``) do not. Joins the caller's
    transaction: the scan, its event and its task are committed together or not at all.
    Raises NotFound, Conflict (no repository), ScanRateLimited."""
    with transaction.atomic():
        project = _locked_project(project_id)
        _require_repository(project)
        return queue_for(project, by=by, trigger=trigger, limited=by is not None)


def queue_for(project: Project, *, by=None, trigger, limited=False):
    """``enqueue_scan`` for a project whose row the caller has locked (the services of
    the layers below, through their signals, hand theirs: the events they record after
    this one take the next seq). Nothing without a repository address."""
    if not project.repository_url:
        return None, False
    now = timezone.now()
    _close_stale(project, now)
    active = project.scans.filter(status__in=RepositoryScan.ACTIVE).first()
    if active is not None:
        return active, False
    if limited:
        _check_limits(project, by, now)
    scan = RepositoryScan.objects.create(
        project=project,
        requested_by=by,
        url=project.repository_url,
        trigger=trigger,
        requested_at=now,
    )
    _announce(project, scan)
    run_queued_scan.enqueue(scan.pk)
    return scan, True


def start_scan(*, project_id: int, by=None) -> RepositoryScan:
    """A running scan row straight away, for a scan run in this process
    (``scan_repository``). Raises NotFound, Conflict (no repository, a scan already
    active), ScanRateLimited."""
    now = timezone.now()
    with transaction.atomic():
        project = _locked_project(project_id)
        _require_repository(project)
        _close_stale(project, now)
        if project.scans.filter(status__in=RepositoryScan.ACTIVE).exists():
            raise Conflict(_("Une analyse de ce dépôt est déjà en cours."), code="scan_running")
        _check_limits(project, by, now)
        scan = RepositoryScan.objects.create(
            project=project,
            requested_by=by,
            url=project.repository_url,
            status=RepositoryScan.Status.RUNNING,
            requested_at=now,
            started_at=now,
        )
        _announce(project, scan)
        return scan


def _result_rows(scan: RepositoryScan, results: dict) -> list[CheckResult]:
    return [
        CheckResult(
            scan=scan,
            check_code=code,
            outcome=result.outcome,
            value=result.value,
            path=result.path[:500],
            line=result.line,
            commit=scan.commit,
        )
        for code, result in results.items()
    ]


def _begin(scan_id: int) -> RepositoryScan | None:
    """Queued → running, under the project's lock; None when the scan is not queued any
    more (a task run twice, a scan closed as expired)."""
    with transaction.atomic():
        project_id = (
            RepositoryScan.objects.filter(pk=scan_id).values_list("project_id", flat=True).first()
        )
        if project_id is None:
            return None
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None:
            return None
        scan = RepositoryScan.objects.get(pk=scan_id)
        if scan.status != RepositoryScan.Status.QUEUED:
            return None
        if not project.repository_url:
            refusal = Refusal("bad_url", _("Le projet n'a plus d'adresse de dépôt."))
            scan.status = RepositoryScan.Status.REFUSED
            scan.finished_at = timezone.now()
            scan.refusal_code, scan.refusal_reason = refusal.code, refusal.reason
            CheckResult.objects.bulk_create(
                _result_rows(scan, {"repository": failed({"error": refusal.code})})
            )
            scan.save()
            _announce(project, scan)
            return None
        # The address current when the work starts: it may have changed while queued.
        scan.url = project.repository_url
        scan.status = RepositoryScan.Status.RUNNING
        scan.started_at = timezone.now()
        scan.save(update_fields=["url", "status", "started_at"])
        _announce(project, scan)
        return scan


def _finish(scan: RepositoryScan, results: dict) -> RepositoryScan:
    """Store the results and the end of the scan under the project's lock, unless the scan
    was closed meanwhile (taken for dead): then what this run found is dropped."""
    scan.finished_at = timezone.now()
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=scan.project_id).first()
        current = RepositoryScan.objects.filter(pk=scan.pk).values_list("status", flat=True)
        if project is None or current.first() != RepositoryScan.Status.RUNNING:
            return RepositoryScan.objects.filter(pk=scan.pk).first() or scan
        CheckResult.objects.bulk_create(_result_rows(scan, results))
        scan.save()
        _announce(project, scan)
    return scan


def run_scan(scan: RepositoryScan) -> RepositoryScan:
    """Clone, check and store, outside any transaction but the two short ones that store.
    Always finishes the scan: a refusal, or any failure of the machinery, is stored as its
    reason."""
    now = timezone.now()
    results = {}
    git.sweep_leftovers(older_than=running_limit())
    try:
        target = safety.resolve(scan.url, timeout=min(30, settings.EVIDENCE_TIMEOUT))
        with git.clone(target, now=now.astimezone(UTC)) as snapshot:
            scan.commit = snapshot.commit
            scan.committed_at = snapshot.committed_at
            results = {"repository": passed({"url": target.url, "commit": snapshot.commit})}
            results.update(run_checks(snapshot, now))
        scan.status = RepositoryScan.Status.DONE
    except Refusal as refusal:
        scan.status = RepositoryScan.Status.REFUSED
        scan.refusal_code = refusal.code
        scan.refusal_reason = refusal.reason
        results = {"repository": failed({"error": refusal.code, "reason": refusal.reason})}
    except Exception as error:  # never a stuck scan: store what happened
        refusal = Refusal("clone_failed", type(error).__name__)
        scan.status = RepositoryScan.Status.REFUSED
        scan.refusal_code = refusal.code
        scan.refusal_reason = refusal.reason
        results = {"repository": failed({"error": refusal.code})}
    return _finish(scan, results)


@task()
def run_queued_scan(scan_id: int) -> str:
    """A worker runs one queued scan. Idempotent: a scan already started, finished or
    gone is left alone (the clock may put a dead worker's task back in the queue)."""
    scan = _begin(scan_id)
    if scan is None:
        return "skipped"
    return run_scan(scan).status


def scan_repository(*, project_id: int, by=None) -> RepositoryScan:
    """Scan a project's repository now, in this process, and store every result (the
    benchmark and the command line; the product queues scans with ``enqueue_scan``)."""
    return run_scan(start_scan(project_id=project_id, by=by))


def request_scan(*, by, project_id):
    """A person asks for a scan: the team and reviewers may. ``(scan, created)``, the
    active scan when there is one. Raises NotFound (hidden or missing), NotAuthenticated,
    Forbidden, Conflict (no repository), ScanRateLimited."""
    project = access.access_project(by, project_id)
    access.require(can_request_scan(by, project), by)
    return enqueue_scan(project_id=project.pk, by=by)


def rescan_due(now=None) -> int:
    """Queue a scan of every project at pilot or commons with a repository whose latest
    scan is older than ``EVIDENCE_RESCAN_DAYS`` (or that was never scanned); returns how
    many were queued."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.EVIDENCE_RESCAN_DAYS)
    due = (
        Project.objects.filter(stage__in=[Stage.PILOT, Stage.COMMONS])
        .exclude(repository_url="")
        .exclude(scans__requested_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = 0
    for project_id in list(due):
        try:
            _scan, created = enqueue_scan(
                project_id=project_id, trigger=RepositoryScan.Trigger.CLOCK
            )
        except (Conflict, NotFound):
            continue  # the address was emptied, or the project deleted, meanwhile
        queued += created
    return queued


def declare_exemption(*, by, project_id, check_code: str, reason: str) -> Exemption:
    """The team declares that one check does not apply, with a reason (replaces an
    earlier one)."""
    project = access.access_project(by, project_id)
    access.require(access.can_edit(by, project), by)
    errors = {}
    if check_code not in LABELS:
        errors["check"] = [_("Vérification inconnue.")]
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Une raison est obligatoire.")]
    elif len(reason) > 2000:
        errors["reason"] = [_("2000 caractères au plus.")]
    if errors:
        raise Invalid(errors)
    exemption, _created = Exemption.objects.update_or_create(
        project=project,
        check_code=check_code,
        defaults={"reason": reason, "declared_by": by, "declared_at": timezone.now()},
    )
    return exemption


def fetch_publiccode(*, by, project_id) -> tuple[str, bytes]:
    """The team reads the publiccode.yml at the root of the project's repository, through
    the scanner's safety (checked and pinned address, no redirect followed unchecked, a
    bounded one-commit clone): ``(name, content)``, nothing stored. Raises NotFound,
    Forbidden, Conflict (no repository; the repository refused or without the file, with
    the reason)."""
    project = access.access_project(by, project_id)
    access.require(access.can_edit(by, project), by)
    _require_repository(project)
    timeout = settings.EVIDENCE_FETCH_TIMEOUT
    try:
        target = safety.resolve(project.repository_url, timeout=timeout)
        return git.read_root_file(
            target, PUBLICCODE_NAMES, limit=publiccode.MAX_BYTES, timeout=timeout
        )
    except Refusal as refusal:
        raise Conflict(refusal.reason, code=refusal.code) from None
