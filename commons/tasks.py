"""The clock's daily jobs for commons: lapse the reuses nobody confirmed, open the renewal
reviews that are due or signalled. Both are idempotent: a second run finds nothing to do."""

from django_tasks import task

from . import services


@task()
def lapse_reuses(*, period: str) -> int:
    return services.lapse_due_reuses()


@task()
def open_due_renewals(*, period: str) -> int:
    return services.open_due_renewals()
