"""Notifications: who gets what, preferences, e-mail after commit, the live unread count."""

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.db import transaction

from discussion.services import post_comment
from notifications.models import Notification, NotificationPreference
from notifications.services import mark_read, notify, preferences, set_preferences
from projects.errors import Invalid
from projects.models import Follow
from tests.live.sockets import closed_with, frame, login, open_socket

Kind = Notification.Kind


def test_notify_skips_actor_inactive_and_non_readers(
    restricted_project, owner, member, stranger, reviewer, make_user
):
    gone = make_user("gone", is_active=False)
    created = notify(
        kind=Kind.STAGE_CHANGED,
        recipients=[owner, member, stranger, reviewer, gone, None, member],
        project=restricted_project,
        actor=owner,
        text="Le projet passe en prototype.",
        url="/projects/1/",
    )
    assert sorted(n.recipient.username for n in created) == ["member", "reviewer"]


def test_notify_refuses_unknown_kind(project, owner):
    with pytest.raises(ValueError):
        notify(kind="gossip", recipients=[owner], project=project, actor=None, text="?")


def test_preferences_choose_channels(project, owner, member, reviewer, run_tasks):
    set_preferences(by=member, choices={Kind.DECISION: {"in_app": False, "email": "immediate"}})
    set_preferences(by=reviewer, choices={Kind.DECISION: {"in_app": False}})
    created = notify(
        kind=Kind.DECISION,
        recipients=[owner, member, reviewer],
        project=project,
        actor=None,
        text="Revue approuvée.",
        url="/projects/1/",
    )
    assert [n.recipient for n in created] == [owner]
    assert mail.outbox == []  # a task, not the request, sends it
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["member@example.org"]]
    assert "Revue approuvée." in mail.outbox[0].body


def test_no_mail_from_a_rolled_back_change(project, owner, member, run_tasks):
    """The send task is written in the change's transaction: no commit, no task, no mail."""
    set_preferences(by=member, choices={Kind.REPLY: {"email": "immediate"}})
    top, _ = post_comment(by=member, project=project, body="Question")
    with pytest.raises(RuntimeError), transaction.atomic():
        post_comment(by=owner, project=project, body="Réponse", parent=top.pk)
        raise RuntimeError("rolled back")
    assert run_tasks() == 0
    post_comment(by=owner, project=project, body="Réponse", parent=top.pk)
    assert run_tasks() == 1
    assert len(mail.outbox) == 1


def test_preferences_listing_and_validation(member):
    listed = preferences(member)
    assert [p["kind"] for p in listed] == list(Kind.values)
    assert all(p["in_app"] for p in listed)
    # E-mail is off unless chosen, but for a webhook switched off: its owner must hear of it.
    assert {p["kind"]: p["email"] for p in listed if p["email"] != "never"} == {
        Kind.WEBHOOK_DISABLED: "immediate"
    }
    for bad in (
        {"gossip": {"in_app": True}},
        {Kind.MENTION: {"in_app": "yes"}},
        {Kind.MENTION: {"sms": True}},
        {Kind.MENTION: {"email": "hourly"}},
        {Kind.MENTION: {"email": True}},
        {Kind.MENTION: {"email": "daily"}, "gossip": {"email": "daily"}},
        {Kind.MENTION: {}},
        ["mention"],
    ):
        with pytest.raises(Invalid) as error:
            set_preferences(by=member, choices=bad)
        assert error.value.status == 400
    assert not NotificationPreference.objects.exists()


def test_mark_read(project, owner, member):
    post_comment(by=owner, project=project, body="@member un")
    post_comment(by=owner, project=project, body="@member deux")
    first, second = Notification.objects.filter(recipient=member).order_by("id")
    assert mark_read(by=member, ids=[first.pk, 999999]) == 1
    assert mark_read(by=owner, ids=[second.pk]) == 0  # not theirs
    assert mark_read(by=member) == 1
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_api_list_and_mark_read(api, project, owner, member, django_assert_max_num_queries):
    for n in range(3):
        post_comment(by=owner, project=project, body=f"@member message {n}")
    assert api.as_(None).get("/api/notifications/").status_code == 401
    with django_assert_max_num_queries(6):
        response = api.as_(member).get("/api/notifications/")
    body = response.json()
    assert body["count"] == 3 and body["unread"] == 3
    assert body["results"][0]["kind"] == "mention"
    first = body["results"][0]["id"]
    response = api.post("/api/notifications/read/", {"ids": [first]}, format="json")
    assert response.json() == {"marked": 1, "unread": 2}
    assert api.get("/api/notifications/?unread=1").json()["count"] == 2
    assert api.post("/api/notifications/read/", {"ids": "all"}, format="json").status_code == 400
    assert api.post("/api/notifications/read/", {"x": 1}, format="json").status_code == 400
    for ids in ([99999999999999999999999999], [-1], [2**63], [1.5], list(range(1, 2002))):
        assert api.post("/api/notifications/read/", {"ids": ids}, format="json").status_code == 400
    assert api.post("/api/notifications/read/", {}, format="json").json()["unread"] == 0
    assert api.as_(owner).get("/api/notifications/").json()["count"] == 0
    assert api.as_(None).post("/api/notifications/read/", {}, format="json").status_code == 401


def test_api_preferences(api, member):
    assert api.as_(None).get("/api/notifications/preferences/").status_code == 401
    assert api.as_(None).patch("/api/notifications/preferences/", {}).status_code == 401
    listed = api.as_(member).get("/api/notifications/preferences/").json()
    assert {p["kind"] for p in listed} == set(Kind.values)
    response = api.patch(
        "/api/notifications/preferences/", {"mention": {"email": "weekly"}}, format="json"
    )
    assert response.status_code == 200
    assert next(p for p in response.json() if p["kind"] == "mention")["email"] == "weekly"
    bad = api.patch("/api/notifications/preferences/", {"mention": {"email": "hourly"}})
    assert bad.status_code == 400 and "mention" in bad.json()["errors"]
    assert NotificationPreference.objects.get(user=member, kind="mention").email == "weekly"


def test_followers_are_plain_rows(project, stranger):
    """Follow rows and team members are who the workflow notifies of a stage change."""
    Follow.objects.create(project=project, user=stranger)
    created = notify(
        kind=Kind.STAGE_CHANGED,
        recipients=[f.user for f in project.follows.all()],
        project=project,
        actor=None,
        text="Étape suivante.",
    )
    assert [n.recipient for n in created] == [stranger]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_unread_count_pushed_live(project, owner, member):
    socket, connected = await open_socket("/ws/notifications/", await login(member))
    assert connected
    assert await frame(socket) == {"type": "unread", "count": 0}
    await database_sync_to_async(post_comment)(by=owner, project=project, body="Salut @member")
    assert await frame(socket) == {"type": "unread", "count": 1}
    await database_sync_to_async(mark_read)(by=member)
    assert await frame(socket) == {"type": "unread", "count": 0}
    await socket.send_to(text_data="{}")
    assert (await frame(socket))["code"] == "read_only"
    await socket.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_notification_socket_needs_sign_in():
    socket, connected = await open_socket("/ws/notifications/")
    assert connected
    assert await closed_with(socket) == 4401
    _socket, connected = await open_socket("/ws/notifications/", origin=None)
    assert not connected
