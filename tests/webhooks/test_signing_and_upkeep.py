"""Secret rotation as receivers see it, stage changes, and the clock's upkeep: lanes woken
again and the log pruned."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from webhooks.models import Attempt, Delivery, Lane
from webhooks.services import rotate_secret
from webhooks.tasks import prune_log, sweep_lanes
from workflows.services import archive


def test_during_a_rotation_both_secrets_verify_then_only_the_new_one(
    project, owner, receiver, register, comment, run_tasks, settings
):
    endpoint = register(owner, receiver, project=project)
    old = receiver.secret
    _endpoint, new = rotate_secret(by=owner, endpoint_id=endpoint.pk)
    comment(owner, project, "pendant")
    run_tasks()
    [message] = receiver.wait_for(1)  # verified by the receiver with the old secret
    assert len(message["signature"].split(" ")) == 2
    headers = {
        "webhook-id": message["id"],
        "webhook-timestamp": message["timestamp"],
        "webhook-signature": message["signature"],
    }
    assert Webhook(new).verify(message["raw"], headers)["type"] == "comment.created"
    receiver.secret = new
    with time_machine.travel(timezone.now() + timedelta(hours=settings.WEBHOOKS_ROTATION_HOURS)):
        comment(owner, project, "après")
        run_tasks()
        messages = receiver.wait_for(2)
    assert receiver.rejected == []
    assert len(messages[1]["signature"].split(" ")) == 1
    assert old != new


def test_a_stage_change_is_delivered(project, owner, receiver, register, run_tasks):
    register(owner, receiver, project=project, event_types=["project.stage_changed"])
    archive(by=owner, project=project, rationale="Le projet s'arrête.")
    run_tasks()
    [message] = receiver.wait_for(1)
    assert message["body"]["type"] == "project.stage_changed"
    assert message["body"]["data"]["data"]["to"] == "archived"


def test_the_sweep_wakes_a_lane_whose_task_was_lost(
    project, owner, receiver, register, comment, run_tasks
):
    register(owner, receiver, project=project)
    comment(owner, project)
    DBTaskResult.objects.all().delete()  # as if its task had been lost
    assert sweep_lanes.call(period="x") == 1
    run_tasks()
    assert len(receiver.wait_for(1)) == 1
    assert sweep_lanes.call(period="y") == 0


def test_the_sweep_leaves_a_leased_lane_alone(
    project, owner, receiver, register, comment, run_tasks
):
    register(owner, receiver, project=project)
    comment(owner, project)
    Lane.objects.update(leased_until=timezone.now() + timedelta(minutes=1), lease="other")
    assert sweep_lanes.call(period="x") == 0
    run_tasks()
    assert receiver.requests == 0  # the holder sends; nobody else
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert sweep_lanes.call(period="z") == 1  # a lease outlived its worker
        run_tasks()
    assert len(receiver.wait_for(1)) == 1


def test_the_log_keeps_thirty_days_and_every_pending_delivery(
    project, owner, receiver, register, comment, run_tasks, settings
):
    register(owner, receiver, project=project)
    comment(owner, project, "ancien")
    run_tasks()
    receiver.stop()
    comment(owner, project, "en attente")
    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(days=settings.WEBHOOKS_LOG_DAYS + 1)):
        assert prune_log.call(period="x") == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == ["pending"]
    assert Attempt.objects.count() == 0
