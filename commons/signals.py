"""What a renewal review shows its reviewers, gathered when it opens.

Some signals live in apps above this one (the repository scans): they register a reader
here when they start (``register``), so ``commons`` never imports them. A reader takes a
project and returns a JSON-ready dict, or None when it has nothing to say. The conditions
of the project's approvals live below (``workflows``) and are read here directly.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from projects.models import Project
from workflows.models import Condition

from . import read
from .models import RenewalReview, Reuse, ReuseEvent

_readers: dict[str, Callable] = {}


def register(name: str, reader: Callable) -> None:
    """``reader(project)`` adds ``name`` to the signals; ``scan`` is expected to give
    ``{"id", "commit", "committed_at" (ISO), "finished_at" (ISO), "failing": [codes]}``,
    ``failing`` being the required checks that fail and are not exempted."""
    _readers[name] = reader


def gather(project: Project) -> dict:
    """The signals of a commons now: its latest scan, verified and lapsed reuses, its
    activity, its conditions still open or missed, and what the registered readers add."""
    reuses = Reuse.objects.filter(project=project)
    found = {
        "reuses": {
            "verified": read.counted_reuses(project),
            "lapsed": reuses.filter(status=Reuse.Status.LAPSED).count(),
            "declared": reuses.filter(status=Reuse.Status.DECLARED).count(),
            "last_lapsed_at": ReuseEvent.objects.filter(
                reuse__project=project, action=ReuseEvent.Action.LAPSED
            ).aggregate(at=Max("at"))["at"],
        },
        "activity": {
            "last_event_at": project.events.aggregate(at=Max("at"))["at"],
            "updated_at": project.updated_at,
        },
        "conditions": conditions(project),
    }
    for name, reader in _readers.items():
        found[name] = reader(project)
    return found


def conditions(project: Project, today=None) -> dict:
    """The conditions of the project's approvals that are not done: the open ones (those
    past their due date, which the clock is about to mark missed, counted apart) and the
    missed ones, each with its text and due date. A missed condition does not open a renewal
    early: it already told the reviewers and curators, who may hold the project or send it
    back; the renewal review shows it to whoever decides next."""
    today = today or timezone.localdate()
    rows = list(
        Condition.objects.filter(
            project=project, status__in=[Condition.Status.OPEN, Condition.Status.MISSED]
        )
        .order_by("due_on", "id")
        .values("id", "text", "due_on", "status")
    )
    still_open = [row for row in rows if row["status"] == Condition.Status.OPEN]
    return {
        "open": len(still_open),
        "overdue": sum(row["due_on"] < today for row in still_open),
        "missed": len(rows) - len(still_open),
        "items": [{**row, "due_on": row["due_on"].isoformat()} for row in rows],
    }


def _when(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else value


def early_reason(found: dict, *, since: datetime | None, now: datetime | None = None) -> str | None:
    """The signal that opens a renewal before its date, if it arose after ``since`` (the
    opening of the last renewal review, so one signal opens one review): no commit for
    ``RENEWAL_QUIET_DAYS``, a required check failing, the last verified reuse lapsed."""
    now = now or timezone.now()

    def new(moment) -> bool:
        return moment is not None and (since is None or moment > since)

    scan = found.get("scan") or {}
    committed = _when(scan.get("committed_at"))
    quiet = timedelta(days=settings.RENEWAL_QUIET_DAYS)
    if committed and committed + quiet < now and new(committed + quiet):
        return RenewalReview.Reason.NO_COMMIT
    if scan.get("failing") and new(_when(scan.get("finished_at"))):
        return RenewalReview.Reason.CHECK_FAILING
    reuses = found["reuses"]
    if reuses["verified"] == 0 and new(_when(reuses["last_lapsed_at"])):
        return RenewalReview.Reason.REUSE_LAPSED
    return None
