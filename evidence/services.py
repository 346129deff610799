"""Scanning a project's repository: asked for by a person (``request_scan``) or by the
system (``scan_repository``), run synchronously for now and stored append-only.

The clone runs outside any database transaction: a scan takes seconds to a minute, and
rows are locked only to start it (one running scan per project) and to store its results.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import access
from projects.errors import Conflict, Invalid, NotFound, ServiceError
from projects.models import Project

from . import git, safety
from .checks import LABELS, failed, passed
from .checks.registry import run_checks
from .errors import Refusal
from .models import CheckResult, Exemption, RepositoryScan


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
        scans.filter(started_at__gt=now - timedelta(seconds=seconds))
        .order_by("-started_at")
        .values_list("started_at", flat=True)[:count]
    )
    if len(recent) < count:
        return None
    retry = recent[-1] + timedelta(seconds=seconds) - now
    return max(1, int(retry.total_seconds() + 0.999))


def _close_stale(project: Project, now) -> None:
    """A scan still running past twice the time limit died with its process: finish it
    with the reason, so it neither blocks the project nor stays ambiguous."""
    limit = now - timedelta(seconds=2 * settings.EVIDENCE_TIMEOUT + 60)
    refusal = Refusal("interrupted")
    RepositoryScan.objects.filter(
        project=project, status=RepositoryScan.Status.RUNNING, started_at__lt=limit
    ).update(
        status=RepositoryScan.Status.REFUSED,
        finished_at=now,
        refusal_code=refusal.code,
        refusal_reason=refusal.reason,
    )


def start_scan(*, project_id: int, by=None) -> RepositoryScan:
    """The running scan row for a project, after the one-at-a-time and rate rules.
    Raises NotFound, Conflict (no repository, a scan already running), ScanRateLimited."""
    now = timezone.now()
    with transaction.atomic():
        try:
            project = Project.objects.select_for_update().get(pk=project_id)
        except Project.DoesNotExist:
            raise NotFound() from None
        if not project.repository_url:
            raise Conflict(_("Ce projet n'a pas d'adresse de dépôt."), code="no_repository")
        _close_stale(project, now)
        if project.scans.filter(status=RepositoryScan.Status.RUNNING).exists():
            raise Conflict(_("Une analyse de ce dépôt est déjà en cours."), code="scan_running")
        if by is not None:
            for scans, (count, seconds) in (
                (project.scans.all(), settings.EVIDENCE_RATE_PROJECT),
                (RepositoryScan.objects.filter(requested_by=by), settings.EVIDENCE_RATE_PERSON),
            ):
                retry = _retry_after(scans, count, seconds, now)
                if retry is not None:
                    raise ScanRateLimited(retry)
        try:
            with transaction.atomic():
                return RepositoryScan.objects.create(
                    project=project, requested_by=by, url=project.repository_url, started_at=now
                )
        except IntegrityError:  # another process started one between our check and insert
            raise Conflict(
                _("Une analyse de ce dépôt est déjà en cours."), code="scan_running"
            ) from None


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


def run_scan(scan: RepositoryScan) -> RepositoryScan:
    """Clone, check and store. Always finishes the scan: a refusal, or any failure of the
    machinery, is stored as its reason."""
    now = timezone.now()
    results = {}
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
    scan.finished_at = timezone.now()
    with transaction.atomic():
        CheckResult.objects.bulk_create(_result_rows(scan, results))
        scan.save()
    return scan


def scan_repository(*, project_id: int, by=None) -> RepositoryScan:
    """Scan a project's repository now and store every result (the system's entry point;
    the background task calls this)."""
    return run_scan(start_scan(project_id=project_id, by=by))


def request_scan(*, by, project_id) -> RepositoryScan:
    """A person asks for a scan: the team and reviewers may. Raises NotFound (hidden or
    missing), NotAuthenticated, Forbidden, Conflict, ScanRateLimited."""
    project = access.access_project(by, project_id)
    access.require(can_request_scan(by, project), by)
    return scan_repository(project_id=project.pk, by=by)


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
