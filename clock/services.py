"""The clock's tick: enqueue every job whose current period has not run yet, and put back
in the queue the tasks whose worker died."""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from .models import Run, Schedule

logger = logging.getLogger(__name__)
CADENCES = ("minute", "hour", "day", "week")


def period_of(now: datetime, *, every: str, at: str = "00:00") -> tuple[datetime, str]:
    """The start of the period ``now`` falls in, in the site's time zone, and its label.
    ``at`` ("HH:MM") shifts the start of days and weeks (weeks start on Monday)."""
    local = timezone.localtime(now)
    if every == "minute":
        start = local.replace(second=0, microsecond=0)
        return start, start.strftime("%Y-%m-%dT%H:%M")
    if every == "hour":
        start = local.replace(minute=0, second=0, microsecond=0)
        return start, start.strftime("%Y-%m-%dT%H")
    if every not in CADENCES:
        raise ValueError(every)
    hours, minutes = (int(part) for part in at.split(":"))
    offset = timedelta(hours=hours, minutes=minutes)
    day = (local - offset).date()
    if every == "week":
        day -= timedelta(days=day.weekday())
    start = timezone.make_aware(datetime.combine(day, time()), local.tzinfo) + offset
    if every == "week":
        year, week, _weekday = day.isocalendar()
        return start, f"{year}-W{week:02d}"
    return start, day.isoformat()


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue what is due at ``now``; returns the runs enqueued ("job period").

    The schedule rows are locked and skipped when another clock holds them (PostgreSQL;
    SQLite serialises the transaction), and each run is unique per job and period."""
    now = now or timezone.now()
    jobs = settings.CLOCK_JOBS
    Schedule.objects.bulk_create([Schedule(name=name) for name in jobs], ignore_conflicts=True)
    enqueued = []
    with transaction.atomic():
        rows = Schedule.objects.select_for_update(skip_locked=True).filter(name__in=jobs)
        for schedule in rows:
            job = jobs[schedule.name]
            start, label = period_of(now, every=job["every"], at=job.get("at", "00:00"))
            if schedule.last_period is not None and schedule.last_period >= start:
                continue
            try:
                with transaction.atomic():
                    run = Run.objects.create(schedule=schedule, period=start, label=label)
            except IntegrityError:
                continue
            result = import_string(job["task"]).enqueue(period=label, **job.get("kwargs", {}))
            run.task_id = str(result.id)
            run.save(update_fields=["task_id"])
            schedule.last_period = start
            schedule.last_enqueued_at = now
            schedule.save(update_fields=["last_period", "last_enqueued_at"])
            enqueued.append(f"{schedule.name} {label}")
    requeued = requeue_stale_tasks(now)
    if requeued:
        logger.warning("put %d task(s) of dead workers back in the queue", requeued)
    return enqueued


def requeue_stale_tasks(now: datetime | None = None) -> int:
    """Tasks still running long after they started lost their worker (SIGKILL, a machine
    gone): back to the queue. Tasks are idempotent, so a slow one run twice is harmless."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.TASKS_STALE_SECONDS)
    with transaction.atomic():
        ids = list(
            DBTaskResult.objects.running()
            .filter(started_at__lt=stale)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        return DBTaskResult.objects.filter(pk__in=ids).update(status="READY")
