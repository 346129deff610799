from django.core.management.base import BaseCommand
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from outbox.tasks import retry_failed_messages


class Command(BaseCommand):
    help = (
        "Give failed e-mails a fresh set of tries and put failed tasks back in the queue "
        "(a task that failed is enqueued again with the same arguments)."
    )

    def handle(self, *args, **options):
        messages = retry_failed_messages()
        with transaction.atomic():
            failed = list(DBTaskResult.objects.failed().select_for_update(skip_locked=True))
            for row in failed:
                row.task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
                row.delete()
        self.stdout.write(f"{messages} message(s) and {len(failed)} task(s) queued again.")
