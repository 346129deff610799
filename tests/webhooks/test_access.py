"""A webhook never carries a restricted project's data to someone who may not read it:
access is checked when each delivery leaves, and losing it stops the deliveries."""

import pytest
from django.contrib.auth.models import Group

from notifications.models import Notification
from projects.errors import Conflict
from projects.models import Role
from projects.services import add_member, remove_member, update_project
from webhooks.models import Delivery, Endpoint
from webhooks.services import update_endpoint


def co_owned(make_project, owner, make_user, **fields):
    partner = make_user("partner")
    project = make_project(owner, **fields)
    add_member(by=owner, project=project, user_id=partner.pk, role=Role.OWNER)
    return project, partner


def test_an_owner_removed_from_a_restricted_project_gets_nothing_more(
    make_project, owner, make_user, receiver, register, comment, run_tasks
):
    project, partner = co_owned(
        make_project, owner, make_user, visibility="restricted", title="Projet discret"
    )
    endpoint = register(partner, receiver, project=project)
    comment(owner, project, "avant")
    run_tasks()
    assert len(receiver.wait_for(1)) == 1
    receiver.stop()
    comment(owner, project, "pendant la panne")
    run_tasks()  # fails: the receiver is down; the delivery waits for its retry
    remove_member(by=owner, project=project, user_id=partner.pk)
    comment(owner, project, "après le départ")
    receiver.start()
    Delivery.objects.update(next_attempt_at=None)
    run_tasks()
    assert [m["body"]["data"]["data"]["body"] for m in receiver.received] == ["avant"]
    assert set(
        Delivery.objects.filter(status__in=["pending", "withheld"]).values_list("status", flat=True)
    ) == {"withheld"}
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled" and endpoint.disabled_reason == "access_lost"
    notice = Notification.objects.get(recipient=partner, kind="webhook_disabled")
    assert "Projet discret" not in notice.text and notice.project is None
    # Switching it on again is refused while the access is lost.
    with pytest.raises(Conflict) as refused:
        update_endpoint(by=partner, endpoint_id=endpoint.pk, active=True)
    assert refused.value.code == "access_lost"
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_a_former_owner_of_a_public_project_still_reads_it(
    make_project, owner, make_user, receiver, register, comment, run_tasks
):
    project, partner = co_owned(make_project, owner, make_user)
    register(partner, receiver, project=project)
    remove_member(by=owner, project=project, user_id=partner.pk)
    comment(owner, project, "public")
    run_tasks()
    assert len(receiver.wait_for(1)) == 1


def test_a_project_made_restricted_stops_a_stranger_curators_endpoint(
    project, owner, make_user, receiver, register, comment, run_tasks
):
    former = make_user("former", "curators")
    endpoint = register(former, receiver, project=project)
    former.groups.remove(Group.objects.get(name="curators"))
    update_project(by=owner, project=project, visibility="restricted")
    comment(owner, project, "discret")
    run_tasks()
    assert receiver.requests == 0
    assert Delivery.objects.get().status == Delivery.Status.WITHHELD
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == Endpoint.Reason.ACCESS_LOST


def test_a_portfolio_endpoint_carries_restricted_projects_to_a_curator_only(
    restricted_project, owner, curator, receiver, register, comment, run_tasks
):
    endpoint = register(curator, receiver)
    comment(owner, restricted_project, "pour les curateurs")
    run_tasks()
    assert [m["body"]["data"]["project"] for m in receiver.wait_for(1)] == [restricted_project.pk]
    curator.groups.clear()
    comment(owner, restricted_project, "plus pour elle")
    run_tasks()
    assert len(receiver.received) == 1
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == Endpoint.Reason.ACCESS_LOST
