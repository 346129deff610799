"""The clock's jobs for repository scans (``settings.CLOCK_JOBS``); the scan itself is
``services.run_queued_scan``."""

from django_tasks import task

from . import services


@task()
def rescan_repositories(*, period: str) -> int:
    """Queue a scan of every project at pilot or commons whose latest scan is older than
    ``EVIDENCE_RESCAN_DAYS``."""
    return services.rescan_due()


@task()
def close_stale_scans(*, period: str) -> int:
    """Finish as refused the scans whose worker died (or that no worker took)."""
    return services.close_stale_scans()
