"""Jobs of the clock that keep the queue itself tidy."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .models import Run


@task()
def prune_tasks(*, period: str) -> int:
    """Delete finished tasks and clock runs older than TASKS_RETENTION_DAYS (failed tasks
    stay until retried or pruned by hand: they are the visible failures)."""
    cutoff = timezone.now() - timedelta(days=settings.TASKS_RETENTION_DAYS)
    deleted, _by_model = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    Run.objects.filter(enqueued_at__lt=cutoff).delete()
    return deleted
