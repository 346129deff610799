"""Deliveries to a real receiver on 127.0.0.1 that verifies every signature with the
``standardwebhooks`` library, sent by the worker's own loop (``run_tasks``)."""

import json
from datetime import timedelta

import time_machine
from django.utils import timezone

from notifications.models import Notification
from projects.events import payload
from projects.models import ProjectEvent
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import update_endpoint


def test_a_comment_arrives_signed_with_the_event_of_the_stream(
    project, owner, receiver, register, comment, run_tasks
):
    endpoint = register(owner, receiver, project=project)
    comment(owner, project, "Premier envoi")
    run_tasks()
    [message] = receiver.wait_for(1)
    assert receiver.rejected == []
    event = ProjectEvent.objects.get(project=project, type="comment.created")
    expected = json.loads(json.dumps(payload(event), default=str))
    body = message["body"]
    assert body["type"] == "comment.created"
    assert body["data"]["seq"] == event.seq and body["data"]["project"] == project.pk
    assert body["data"]["data"]["body"] == "Premier envoi"
    assert body["data"]["id"] == expected["id"]
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert message["id"] == delivery.message_id
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.status_code == 204 and attempt.error == ""


def test_only_the_types_asked_for_are_delivered(
    project, owner, receiver, register, comment, run_tasks
):
    register(owner, receiver, project=project, event_types=["project.stage_changed"])
    comment(owner, project)
    run_tasks()
    assert not Delivery.objects.exists()
    assert receiver.requests == 0


def test_down_then_up_every_delivery_arrives_once_and_in_order(
    project, owner, receiver, register, comment, run_tasks
):
    endpoint = register(owner, receiver, project=project)
    receiver.stop()
    for n in range(5):
        comment(owner, project, f"message {n}")
    run_tasks()
    deliveries = list(Delivery.objects.filter(endpoint=endpoint).order_by("seq"))
    # Only the first was tried: the later ones wait for it.
    assert [d.attempts for d in deliveries] == [1, 0, 0, 0, 0]
    assert {d.status for d in deliveries} == {Delivery.Status.PENDING}
    assert Attempt.objects.get().error == "unreachable"
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        run_tasks()  # not due yet: nothing tried
    assert Attempt.objects.count() == 1
    receiver.start()
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        run_tasks()
    messages = receiver.wait_for(5)
    assert receiver.rejected == []
    seqs = [m["body"]["data"]["seq"] for m in messages]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert [m["body"]["data"]["data"]["body"] for m in messages] == [
        f"message {n}" for n in range(5)
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    # Nothing more to send: another run sends nothing twice.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        run_tasks()
    assert len(receiver.received) == 5
    assert Endpoint.objects.get().active


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


def test_a_receiver_answering_500_for_three_days_disables_the_endpoint_and_tells_its_owner(
    project, owner, receiver, register, comment, run_tasks, settings, mailoutbox
):
    settings.WEBHOOKS_RETRY_SECONDS = 60
    endpoint = register(owner, receiver, project=project)
    receiver.mode = "fail"
    comment(owner, project, "un")
    comment(owner, project, "deux")
    run_tasks()
    waits = []
    clock = timezone.now()
    for _n in range(40):
        delivery = Delivery.objects.order_by("seq").first()
        if delivery.status != Delivery.Status.PENDING:
            break
        waits.append((delivery.next_attempt_at - clock).total_seconds())
        clock = delivery.next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(clock):
            run_tasks()
    first, second = Delivery.objects.order_by("seq")
    assert first.status == Delivery.Status.FAILED
    # Exponential: each wait doubles (60 s, 120 s, ...) up to the 12 h ceiling.
    assert [round(w) for w in waits[:4]] == [60, 120, 240, 480]
    assert max(waits) <= settings.WEBHOOKS_RETRY_MAX_WAIT + 1
    span = (first.finished_at - first.first_attempt_at).total_seconds()
    assert 2 * 86400 < span <= settings.WEBHOOKS_RETRY_WINDOW
    assert Attempt.objects.filter(delivery=first).count() == first.attempts == len(waits) + 1
    assert set(Attempt.objects.values_list("status_code", flat=True)) == {500}
    # The later one waited its turn and was never sent; it resumes when switched on again.
    assert second.status == Delivery.Status.PENDING and second.attempts == 0
    endpoint.refresh_from_db()
    assert endpoint.status == Endpoint.Status.DISABLED
    assert endpoint.disabled_reason == Endpoint.Reason.FAILING
    notice = Notification.objects.get(recipient=owner, kind="webhook_disabled")
    assert receiver.url in notice.text and notice.url == endpoint.get_absolute_url()
    assert [m.to for m in mailoutbox] == [[owner.email]]
    # Nothing new is queued for a disabled endpoint.
    comment(owner, project, "trois")
    assert Delivery.objects.count() == 2
    receiver.mode = "ok"
    update_endpoint(by=owner, endpoint_id=endpoint.pk, active=True)
    run_tasks()
    assert [m["body"]["data"]["data"]["body"] for m in receiver.wait_for(1)] == ["deux"]


def test_a_hanging_receiver_is_cut_at_the_time_limit_and_others_still_get_theirs(
    project, owner, make_receiver, register, comment, run_tasks, settings
):
    settings.WEBHOOKS_TIMEOUT = 1
    hanging, healthy = make_receiver(), make_receiver()
    hanging.mode = "hang"
    stuck = register(owner, hanging, project=project)
    register(owner, healthy, project=project)
    comment(owner, project)
    run_tasks()
    attempt = Attempt.objects.get(delivery__endpoint=stuck)
    assert attempt.error == "timeout" and attempt.status_code is None
    assert 900 <= attempt.duration_ms < 5000
    assert len(healthy.wait_for(1)) == 1
    assert Delivery.objects.get(endpoint=stuck).status == Delivery.Status.PENDING


def test_a_10_mb_answer_is_read_no_further_than_the_limit(
    project, owner, receiver, register, comment, run_tasks
):
    endpoint = register(owner, receiver, project=project)
    receiver.mode = "huge"
    comment(owner, project)
    run_tasks()
    attempt = Attempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.status_code == 200 and attempt.truncated
    assert len(attempt.response) <= 1000
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_a_redirect_is_not_followed(project, owner, make_receiver, register, comment, run_tasks):
    receiver, elsewhere = make_receiver(), make_receiver()
    receiver.mode = "redirect"
    receiver.redirect_to = elsewhere.url
    register(owner, receiver, project=project)
    comment(owner, project)
    run_tasks()
    attempt = Attempt.objects.get()
    assert attempt.status_code == 302 and attempt.error == "redirect"
    assert attempt.detail == elsewhere.url
    assert elsewhere.requests == 0
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_an_address_that_turned_private_is_not_contacted(
    project, owner, receiver, register, comment, run_tasks, settings
):
    endpoint = register(owner, receiver, project=project)
    # As if its DNS now answered a private address: the check runs again at each attempt.
    Endpoint.objects.filter(pk=endpoint.pk).update(url="https://10.0.0.1/hook")
    comment(owner, project)
    run_tasks()
    attempt = Attempt.objects.get()
    assert attempt.error == "private_address" and attempt.status_code is None
    assert receiver.requests == 0
