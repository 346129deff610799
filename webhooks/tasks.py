"""Sending deliveries: one lane at a time, in ``seq`` order, retried with a doubling wait
for up to three days, never to an owner who may no longer read the project.

A task takes its lane with a lease (a conditional UPDATE, so it works alike on SQLite and
PostgreSQL and holds no row lock during the HTTP exchange), sends the lane's due deliveries
one after the other, and lets go. A task that finds the lane taken stops at once: the holder
looks once more after letting go, so a delivery committed meanwhile is never left behind.
The HTTP exchange happens outside any transaction; what came of it is recorded after, with
the next try enqueued in that same transaction. A worker killed between the two sends the
delivery once more later, with the same ``webhook-id``: receivers drop repeats by that id.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from network.addresses import Refused, check_url
from network.http import post

from . import access
from .models import Attempt, Delivery, Endpoint, Lane
from .notices import tell_owner
from .signatures import body_of, headers_for

logger = logging.getLogger(__name__)

# Deliveries one task sends before handing the lane to a fresh task (other lanes get a turn).
BATCH = 50
RESPONSE_KEPT = 1000


def lease_length() -> timedelta:
    """Longer than one attempt can last, so a live holder never loses its lane."""
    return timedelta(seconds=settings.WEBHOOKS_TIMEOUT + 30)


def retry_delay(attempts: int) -> timedelta:
    """WEBHOOKS_RETRY_SECONDS after the first failure, doubled after each one, at most
    WEBHOOKS_RETRY_MAX_WAIT."""
    seconds = settings.WEBHOOKS_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(seconds, settings.WEBHOOKS_RETRY_MAX_WAIT))


def _claim(lane_id: int, lease: str) -> bool:
    now = timezone.now()
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    taken = Lane.objects.filter(free, pk=lane_id).update(
        leased_until=now + lease_length(), lease=lease
    )
    return taken == 1


def _renew(lane_id: int, lease: str) -> bool:
    renewed = Lane.objects.filter(pk=lane_id, lease=lease).update(
        leased_until=timezone.now() + lease_length()
    )
    return renewed == 1


def _release(lane_id: int, lease: str) -> None:
    Lane.objects.filter(pk=lane_id, lease=lease).update(leased_until=None, lease="")


def _head(lane_id: int) -> Delivery | None:
    """The lane's earliest pending delivery: nothing later leaves before it."""
    return (
        Delivery.objects.filter(lane_id=lane_id, status=Delivery.Status.PENDING)
        .select_related("endpoint", "endpoint__owner", "event", "lane__project")
        .order_by("seq")
        .first()
    )


def _due(delivery: Delivery | None) -> bool:
    return (
        delivery is not None
        and delivery.endpoint.active
        and (delivery.next_attempt_at is None or delivery.next_attempt_at <= timezone.now())
    )


@task()
def deliver(*, lane_id: int) -> str:
    """Send the due deliveries of one lane in order. Returns what stopped it."""
    lease = secrets.token_hex(8)
    sent = 0
    while True:
        if not _claim(lane_id, lease):
            return f"busy after {sent}"
        try:
            outcome, count = _drain(lane_id, lease)
            sent += count
        finally:
            _release(lane_id, lease)
        if outcome == "more" or not _due(_head(lane_id)):
            return f"{outcome} after {sent}"
        # Due after all: it was committed while this task held the lane, and its own task
        # was turned away. Take the lane again.


def _drain(lane_id: int, lease: str) -> tuple[str, int]:
    sent = 0
    for _n in range(BATCH):
        head = _head(lane_id)
        if head is None:
            return "idle", sent
        if not head.endpoint.active:
            return "disabled", sent
        if not _due(head):
            # Its retry is a task of its own, enqueued with the failure it follows.
            return "waiting", sent
        if not _renew(lane_id, lease):
            return "lease_lost", sent
        if not access.may_receive(head.endpoint, head.lane.project):
            withhold(head.endpoint)
            return "withheld", sent
        if not attempt(head):
            return "retrying", sent
        sent += 1
    deliver.enqueue(lane_id=lane_id)
    return "more", sent


def _exchange(delivery: Delivery) -> dict:
    """One POST of the delivery, signed now; what came of it as Attempt fields."""
    endpoint = delivery.endpoint
    now = timezone.now()
    body = body_of(delivery.event)
    headers = headers_for(
        message_id=delivery.message_id, body=body, signing=endpoint.secrets(now), at=now
    )
    fields = {"at": now, "status_code": None, "error": "", "detail": "", "response": ""}
    try:
        target = check_url(endpoint.url, allow_local_http=settings.WEBHOOKS_ALLOW_LOCAL)
        answer = post(
            target,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT,
            max_bytes=settings.WEBHOOKS_MAX_RESPONSE_BYTES,
        )
    except Refused as refused:
        fields.update(error=refused.code, detail=refused.detail[:300])
    else:
        fields.update(
            status_code=answer.status,
            response=answer.body[:RESPONSE_KEPT].decode("utf-8", "replace"),
            truncated=answer.truncated,
        )
        if 300 <= answer.status < 400:
            fields.update(error="redirect", detail=answer.headers.get("location", "")[:300])
        elif not 200 <= answer.status < 300:
            fields["error"] = "http_status"
        if answer.truncated:
            logger.info("webhook %s: answer cut at %d bytes", delivery.message_id, len(answer.body))
    fields["duration_ms"] = int((timezone.now() - now).total_seconds() * 1000)
    return fields


def attempt(delivery: Delivery, *, manual: bool = False) -> bool:
    """Try ``delivery`` once and record it. An automatic failure schedules the next try,
    or after WEBHOOKS_RETRY_WINDOW marks the delivery failed and disables the endpoint;
    a manual one only adds to the log. Returns whether the receiver took it."""
    fields = _exchange(delivery)
    done = Attempt(delivery=delivery, manual=manual, **fields)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if row is None:
            return False  # the endpoint was deleted meanwhile
        done.save()
        row.attempts += 1
        row.first_attempt_at = row.first_attempt_at or done.at
        row.last_status_code = done.status_code
        row.last_error = "" if done.succeeded else (done.error or "")
        fields = ["attempts", "first_attempt_at", "last_status_code", "last_error"]
        if done.succeeded:
            row.status = Delivery.Status.DELIVERED
            row.finished_at = timezone.now()
            row.next_attempt_at = None
            fields += ["status", "finished_at", "next_attempt_at"]
        elif not manual and row.status == Delivery.Status.PENDING:
            next_at = timezone.now() + retry_delay(row.attempts)
            window = timedelta(seconds=settings.WEBHOOKS_RETRY_WINDOW)
            if next_at > row.first_attempt_at + window:
                row.status = Delivery.Status.FAILED
                row.finished_at = timezone.now()
                row.next_attempt_at = None
                fields += ["status", "finished_at", "next_attempt_at"]
                disable(delivery.endpoint_id, Endpoint.Reason.FAILING)
            else:
                row.next_attempt_at = next_at
                fields.append("next_attempt_at")
                # Below the default priority: a dead receiver's retries never starve the
                # deliveries that can leave (a deferred task sorts before fresh ones).
                deliver.using(run_after=next_at, priority=-10).enqueue(lane_id=row.lane_id)
        row.save(update_fields=fields)
    if not done.succeeded:
        logger.info(
            "webhook %s to endpoint %s: %s %s",
            delivery.message_id,
            delivery.endpoint_id,
            done.status_code or done.error,
            done.detail,
        )
    return done.succeeded


def disable(endpoint_id: int, reason: str) -> bool:
    """Switch the endpoint off for ``reason`` and tell its owner (in the caller's
    transaction). Returns whether it was still on."""
    endpoint = (
        # Only the endpoint's row: its project is an outer join (null for the portfolio).
        Endpoint.objects.select_for_update(of=("self",))
        .select_related("owner", "project")
        .filter(pk=endpoint_id)
        .first()
    )
    if endpoint is None or not endpoint.active:
        return False
    endpoint.status = Endpoint.Status.DISABLED
    endpoint.disabled_reason = reason
    endpoint.disabled_at = timezone.now()
    endpoint.save(update_fields=["status", "disabled_reason", "disabled_at"])
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    tell_owner(endpoint, reason)
    return True


def withhold(endpoint: Endpoint) -> None:
    """The owner may no longer read what the endpoint carries: nothing pending is sent, the
    endpoint is disabled and its owner told (without the project's name)."""
    with transaction.atomic():
        if disable(endpoint.pk, Endpoint.Reason.ACCESS_LOST):
            Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.WITHHELD, finished_at=timezone.now(), next_attempt_at=None
            )


@task()
def send_again_now(*, delivery_id: int) -> str:
    """One attempt of a finished delivery, asked for by a person ("send again")."""
    delivery = (
        Delivery.objects.select_related("endpoint", "endpoint__owner", "event", "lane__project")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "gone"
    if not access.may_receive(delivery.endpoint, delivery.lane.project):
        Attempt.objects.create(delivery=delivery, manual=True, error="access_lost")
        return "access_lost"
    return "delivered" if attempt(delivery, manual=True) else "failed"


@task()
def sweep_lanes(*, period: str) -> int:
    """Wake the lanes of active endpoints that have a due delivery and no live lease (their
    wake-up was lost with a killed worker). Returns how many."""
    now = timezone.now()
    due = Delivery.objects.filter(lane=OuterRef("pk"), status=Delivery.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lanes = list(
        Lane.objects.filter(endpoint__status=Endpoint.Status.ACTIVE)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Exists(due))
        .values_list("pk", flat=True)[:1000]
    )
    for lane_id in lanes:
        deliver.enqueue(lane_id=lane_id)
    return len(lanes)


@task()
def prune_log(*, period: str) -> int:
    """Forget finished deliveries and attempts older than WEBHOOKS_LOG_DAYS. Pending ones
    stay whatever their age: nothing waiting is lost."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    Attempt.objects.filter(at__lt=cutoff).delete()
    deleted, _by_model = (
        Delivery.objects.exclude(status=Delivery.Status.PENDING)
        .filter(created_at__lt=cutoff)
        .delete()
    )
    return deleted
