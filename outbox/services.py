"""Writing what people are to be told by e-mail, and grouping it into digests."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from .models import Frequency, Item, Message
from .tasks import send_message

logger = logging.getLogger(__name__)


def queue_items(items: list[Item]) -> list[Item]:
    """Store unsaved items in the caller's transaction. An ``immediate`` item gets its own
    message and a send task at once; the others wait for their digest."""
    items = Item.objects.bulk_create(items)
    now = [item for item in items if item.frequency == Frequency.IMMEDIATE]
    if now:
        messages = Message.objects.bulk_create(
            Message(recipient_id=item.recipient_id, frequency=Frequency.IMMEDIATE) for item in now
        )
        for item, message in zip(now, messages, strict=True):
            item.message = message
        Item.objects.bulk_update(now, ["message"])
        for message in messages:
            send_message.enqueue(message.pk)
    return items


@task()
def send_digests(*, frequency: str, period: str) -> int:
    """One digest per person with something new at this frequency, covering every item
    not yet sent; people with nothing new get nothing. The message is unique per person,
    frequency and period, so a second run for the same period adds nothing. Returns how
    many digests it wrote."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(frequency)
    started = timezone.now()
    waiting = (
        Item.objects.filter(frequency=frequency, message__isnull=True, created_at__lte=started)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by()
    )
    written = 0
    for recipient_id in list(waiting):
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    recipient_id=recipient_id, frequency=frequency, period=period
                )
                Item.objects.filter(
                    recipient_id=recipient_id,
                    frequency=frequency,
                    message__isnull=True,
                    created_at__lte=started,
                ).update(message=message)
                send_message.enqueue(message.pk)
        except IntegrityError:
            # This period's digest exists already; what came since waits for the next.
            logger.info("digest %s %s for %s exists", frequency, period, recipient_id)
            continue
        written += 1
    return written
