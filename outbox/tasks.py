"""Sending messages: one task per attempt, idempotent, retried with a doubling wait."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .mail import build_email
from .models import Message

logger = logging.getLogger(__name__)


class Permanent(Exception):
    """A failure that another try cannot fix (a malformed or refused address)."""


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try: MAIL_RETRY_SECONDS, then doubled after each failure."""
    return timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


@task()
def send_message(message_id: int) -> str:
    """Send one message unless it already left. The row stays locked for the SMTP
    conversation (bounded by EMAIL_TIMEOUT), so two runs of the same message, a retry
    racing a late first try, send one e-mail. Returns what happened."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            # Its recipient was deleted before it ran: nothing to send, nothing to retry.
            logger.info("message %s no longer exists; nothing sent", message_id)
            return "gone"
        if message.status != Message.Status.PENDING:
            return message.status
        message.attempts += 1
        try:
            address = message.recipient.email
            try:
                validate_email(address)
            except ValidationError:
                raise Permanent(f"invalid address {address!r}") from None
            if not message.items.exists():
                logger.info("message %s carries nothing; nothing sent", message_id)
                message.status = Message.Status.SENT
                message.save(update_fields=["status", "attempts"])
                return "empty"
            try:
                build_email(message).send()
            except smtplib.SMTPRecipientsRefused as error:
                raise Permanent(str(error)) from error
        except Permanent as error:
            message.status = Message.Status.FAILED
            message.last_error = str(error)
        except (smtplib.SMTPException, OSError) as error:
            message.last_error = f"{type(error).__name__}: {error}"
            if message.attempts >= settings.MAIL_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                # Same transaction as the failure it follows: recorded together or not at all.
                # Below the default priority: a deferred task sorts before fresh ones, and a
                # dead server's retries must not starve the mail that can leave.
                send_message.using(
                    run_after=timezone.now() + retry_delay(message.attempts), priority=-10
                ).enqueue(message.pk)
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        if message.status == Message.Status.FAILED:
            logger.warning("message %s failed for good: %s", message.pk, message.last_error)
        return message.status


def retry_failed_messages(*, ids=None) -> int:
    """Give failed messages a fresh set of tries (all of them, or those in ``ids``)."""
    with transaction.atomic():
        rows = Message.objects.select_for_update().filter(status=Message.Status.FAILED)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        messages = list(rows)
        for message in messages:
            message.status = Message.Status.PENDING
            message.attempts = 0
            message.save(update_fields=["status", "attempts"])
            send_message.enqueue(message.pk)
    return len(messages)
