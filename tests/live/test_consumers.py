"""The project socket on the real ASGI application: refusals, the stream, resume, posting,
bad frames, access loss, presence."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.test import override_settings

from discussion.models import Comment
from discussion.services import delete_comment, edit_comment, post_comment
from projects import events, services
from projects.models import Project, ProjectEvent
from workflows import services as workflow_services

from .sockets import closed_with, frame, join, login, open_socket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EVENT_KEYS = {"type", "seq", "id", "project", "at", "data"}


@database_sync_to_async
def post(user, project, body, **fields):
    return post_comment(by=user, project=project.pk, body=body, **fields)[0]


@database_sync_to_async
def record(project, kind, object_id, data):
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        return events.record_event(locked, kind, object_id, data)


@database_sync_to_async
def count(model):
    return model.objects.count()


async def test_visitor_reads_public_project(project):
    socket, hello = await join(project.pk)
    assert hello == {"type": "hello", "project": project.pk, "seq": 0, "user": None}
    await socket.disconnect()


async def test_missing_project_closes_4404(member):
    socket, connected = await open_socket("/ws/projects/999999/", await login(member))
    assert connected
    assert await closed_with(socket) == 4404


async def test_hidden_project_closes_4404_like_a_missing_one(restricted_project, stranger, funder):
    for cookie in (None, await login(stranger)):
        socket, _ = await open_socket(f"/ws/projects/{restricted_project.pk}/", cookie)
        assert await closed_with(socket) == 4404
    socket, hello = await join(restricted_project.pk, await login(funder))
    assert hello["user"] == "funder"
    await socket.disconnect()


async def test_inactive_person_refused(restricted_project, member):
    cookie = await login(member)
    member.is_active = False
    await database_sync_to_async(member.save)()
    socket, _ = await open_socket(f"/ws/projects/{restricted_project.pk}/", cookie)
    assert await closed_with(socket) == 4404


@pytest.mark.parametrize(
    "origin",
    [
        None,
        b"null",
        b"",
        b"http://evil.example",
        b"http://127.0.0.1:1",  # another port
        b"ftp://127.0.0.1",  # another scheme
        b"https://127.0.0.1",  # https page, socket opened without TLS
        b"http://127.0.0.1.evil.example",
        b"http://127.0.0.1/",
    ],
)
async def test_an_origin_other_than_the_page_of_this_site_is_refused(project, origin):
    _socket, connected = await open_socket(f"/ws/projects/{project.pk}/", origin=origin)
    assert not connected


@pytest.mark.parametrize(
    ("origin", "host", "headers", "accepted"),
    [
        (b"http://127.0.0.1:8101", b"127.0.0.1:8101", [], True),
        (b"http://127.0.0.1", b"127.0.0.1:8101", [], False),
        (b"http://localhost", b"localhost", [], True),
        (b"http://evil.example", b"evil.example", [], False),  # not an allowed host
        (b"https://127.0.0.1", b"127.0.0.1", [(b"x-forwarded-proto", b"https")], True),
        (b"http://127.0.0.1", b"127.0.0.1", [(b"x-forwarded-proto", b"https")], False),
        (b"https://app.example.org", b"127.0.0.1", [], True),  # CSRF_TRUSTED_ORIGINS
        (b"http://app.example.org", b"127.0.0.1", [], False),
        (b"https://a.partners.example.org", b"127.0.0.1", [], True),
        (b"https://partners.example.org.evil", b"127.0.0.1", [], False),
    ],
)
async def test_the_origin_check_is_csrfs(project, settings, origin, host, headers, accepted):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org", "https://*.partners.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    socket, connected = await open_socket(
        f"/ws/projects/{project.pk}/", origin=origin, host=host, extra_headers=headers
    )
    assert connected is accepted
    if connected:
        await socket.disconnect()


async def test_every_event_type_in_order(project, owner, member):
    socket, _ = await join(project.pk, await login(owner))
    comment = await post(member, project, "Bonjour")
    await database_sync_to_async(edit_comment)(by=member, comment=comment.pk, body="Bonjour !")
    await database_sync_to_async(delete_comment)(by=member, comment=comment.pk)
    await record(project, events.CHECKLIST_UPDATED, 11, {"status": "attested"})
    await record(project, events.REVIEW_OPENED, 12, {"status": "open"})
    await record(project, events.REVIEW_DECIDED, 12, {"status": "approved"})
    await record(project, events.STAGE_CHANGED, project.pk, {"from": "idea", "to": "prototype"})
    await record(project, events.CONDITION_UPDATED, 13, {"status": "open"})
    await record(project, events.HOLD_UPDATED, 14, {"status": "in_force"})
    await record(project, events.LESSON_PUBLISHED, 15, {"tried": "Un atelier."})
    await record(project, events.REUSE_DECLARED, 17, {"status": "declared"})
    await record(project, events.REUSE_CHANGED, 17, {"status": "verified"})
    await record(project, events.RENEWAL_OPENED, 18, {"status": "open"})
    await record(project, events.RENEWAL_VOTED, 18, {"outcome": "renewed"})
    await record(project, events.RENEWAL_DECIDED, 18, {"outcome": "renewed"})
    await record(project, events.SCAN_UPDATED, 16, {"id": 16, "status": "queued"})
    received = [await frame(socket) for _ in range(len(events.TYPES))]
    assert [(e["seq"], e["type"]) for e in received] == list(enumerate(events.TYPES, start=1))
    assert all(set(e) == EVENT_KEYS and e["project"] == project.pk for e in received)
    created, updated, deleted = received[:3]
    assert created["id"] == comment.pk and created["data"]["html"] == "<p>Bonjour</p>\n"
    assert updated["data"]["body"] == "Bonjour !" and updated["data"]["edited_at"]
    assert deleted["data"]["deleted"] and deleted["data"]["body"] == ""
    assert received[6]["data"] == {"from": "idea", "to": "prototype"}
    await socket.disconnect()


async def test_resume_after_disconnect_exactly_once(project, owner, member):
    cookie = await login(owner)
    socket, _ = await join(project.pk, cookie)
    for n in range(2):
        await post(member, project, f"avant {n}")
    held = [(await frame(socket))["seq"] for _ in range(2)]
    await socket.disconnect()
    for n in range(3):
        await post(member, project, f"pendant {n}")

    socket, hello = await join(project.pk, cookie)
    assert hello["seq"] == 5
    await post(member, project, "après")  # live, while the client has not resumed yet
    await socket.send_json_to({"type": "resume", "after": held[-1]})
    seen = []
    while (data := await frame(socket))["type"] != "resumed":
        seen.append(data["seq"])
    assert data["seq"] == 6
    # The client applies seq == last + 1 only: whatever arrived before the resume is replayed.
    applied = []
    for seq in seen:
        if seq == (applied[-1] if applied else held[-1]) + 1:
            applied.append(seq)
    assert applied == [3, 4, 5, 6]
    await post(member, project, "ensuite")
    assert (await frame(socket))["seq"] == 7
    await socket.disconnect()


async def test_resume_in_query_string(project, member):
    for n in range(3):
        await post(member, project, f"message {n}")
    socket, hello = await join(project.pk, query="?after=1")
    assert hello["seq"] == 3
    assert [(await frame(socket))["seq"] for _ in range(2)] == [2, 3]
    assert await frame(socket) == {"type": "resumed", "seq": 3}
    await socket.disconnect()


async def test_gap_filled_from_database(project, member, monkeypatch):
    socket, _ = await join(project.pk)
    monkeypatch.setattr(events, "broadcast", lambda event: None)  # the layer loses two
    await post(member, project, "perdu 1")
    await post(member, project, "perdu 2")
    monkeypatch.undo()
    await post(member, project, "reçu")
    received = [await frame(socket) for _ in range(3)]
    assert [e["seq"] for e in received] == [1, 2, 3]
    assert received[0]["data"]["body"] == "perdu 1"
    await socket.disconnect()


async def test_duplicate_and_late_messages_dropped(project, member):
    socket, _ = await join(project.pk)
    first = await post(member, project, "un")
    assert (await frame(socket))["seq"] == 1
    event = await database_sync_to_async(ProjectEvent.objects.get)(seq=1)
    await database_sync_to_async(events.broadcast)(event)  # delivered twice by the layer
    await post(member, project, "deux")
    second = await frame(socket)
    assert second["seq"] == 2 and second["id"] != first.pk
    await socket.disconnect()


async def test_socket_that_fell_behind_is_closed(project, member):
    socket, _ = await join(project.pk)
    await get_channel_layer().group_send(
        events.group_name(project.pk),
        {"type": "project.event", "seq": 1, "text": "{}", "sent": time.time() - 3600},
    )
    error = await frame(socket)
    assert error["code"] == "behind"
    assert await closed_with(socket) == 4408


async def test_post_over_socket(project, owner, member):
    watcher, _ = await join(project.pk, await login(owner))
    socket, _ = await join(project.pk, await login(member))
    message = {"type": "comment.create", "body": "Par le *socket*", "client_id": "k-1"}
    await socket.send_json_to(message)
    frames = [await frame(socket), await frame(socket)]
    ack = next(f for f in frames if f["type"] == "comment.ack")
    event = next(f for f in frames if f["type"] == "comment.created")
    assert ack == {"type": "comment.ack", "client_id": "k-1", "id": event["id"], "created": True}
    assert event["data"]["html"] == "<p>Par le <em>socket</em></p>\n"
    assert (await frame(watcher))["id"] == event["id"]

    await socket.send_json_to(message)  # a retry after a lost ack
    again = await frame(socket)
    assert again == {**ack, "created": False}
    assert await count(Comment) == 1
    await watcher.disconnect()
    await socket.disconnect()


async def test_reply_over_socket(project, owner, member):
    top = await post(owner, project, "Question")
    socket, _ = await join(project.pk, await login(member))
    await socket.send_json_to({"type": "comment.create", "body": "Réponse", "parent": top.pk})
    frames = [await frame(socket), await frame(socket)]
    event = next(f for f in frames if f["type"] == "comment.created")
    assert event["data"]["parent"] == top.pk
    await socket.disconnect()


async def test_visitor_cannot_post(project):
    socket, _ = await join(project.pk)
    await socket.send_json_to({"type": "comment.create", "body": "Bonjour"})
    error = await frame(socket)
    assert (error["type"], error["code"]) == ("error", "not_authenticated")
    assert await count(Comment) == 0
    await socket.disconnect()


@override_settings(COMMENT_RATE=(1, 60))
async def test_rate_limit_over_socket(project, member):
    socket, _ = await join(project.pk, await login(member))
    await socket.send_json_to({"type": "comment.create", "body": "un"})
    await frame(socket)
    await frame(socket)
    await socket.send_json_to({"type": "comment.create", "body": "deux", "client_id": "r2"})
    error = await frame(socket)
    assert error["code"] == "rate_limited" and error["client_id"] == "r2"
    assert 1 <= error["retry_after"] <= 60
    assert await count(Comment) == 1
    await socket.disconnect()


@override_settings(COMMENT_MAX_LENGTH=100)
@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ("pas du json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"body": "sans type"}', "bad_frame"),
        ('{"type": "comment.destroy"}', "unknown_type"),
        ('{"type": "comment.create"}', "invalid"),
        ('{"type": "comment.create", "body": ""}', "invalid"),
        ('{"type": "comment.create", "body": 12}', "invalid"),
        ('{"type": "comment.create", "body": "x", "parent": "abc"}', "invalid"),
        (json.dumps({"type": "comment.create", "body": "x" * 101}), "too_long"),
        (json.dumps({"type": "comment.create", "body": "x" * 10_000}), "too_large"),
        ('{"type": "resume"}', "invalid"),
        ('{"type": "resume", "after": -1}', "invalid"),
        ('{"type": "resume", "after": "3"}', "invalid"),
        ('{"type": "resume", "after": 99999999999999999999999}', "invalid"),
        ('{"type": "resume", "after": 1}', "ahead"),  # the stream is at 0: not believed
        ('{"type": "resume", "after": 0, "since": 4}', "invalid"),
        ("[" * 100_000 + "]" * 100_000, "too_large"),
        ('{"type": "comment.create", "body": ' + "[" * 1500 + "]" * 1500 + "}", "too_deep"),
        ('{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}", "too_deep"),
        ('{"type": "comment.create", "body": "\\ud800"}', "bad_text"),
        ('{"type": "comment.create", "body": "a\\u0000b"}', "bad_text"),
        ('{"type": "comment.create", "body": "x", "client_id": "k\\u0000"}', "bad_text"),
        ('{"type": "comment.create", "body": "x", "client_id": "\\udfff"}', "bad_text"),
        ('{"type": "comment.create", "body": "x", "client_id": 7}', "invalid"),
        ('{"type": "comment.create", "body": "x", "author": 1}', "invalid"),
        ('{"type": "comment.create", "body": "x", "parent": 99999999999999999999}', "invalid"),
        ('{"type": "comment.create", "body": "x", "parent": "%C2%B2"}', "invalid"),
        ('{"type": "comment.create", "body": "x", "parent": "\u00b2"}', "invalid"),
        ('{"type": "ping", "x": 1}', "invalid"),
    ],
)
async def test_bad_frames(project, member, sent, code):
    socket, _ = await join(project.pk, await login(member))
    await socket.send_to(text_data=sent)
    error = await frame(socket)
    assert (error["type"], error["code"]) == ("error", code)
    assert error["detail"]
    await socket.send_json_to({"type": "ping"})
    assert (await frame(socket))["type"] == "pong"  # still usable
    assert await count(Comment) == 0
    assert await count(ProjectEvent) == 0
    await socket.disconnect()


@pytest.mark.parametrize("query", ["?after=5", "?after=%C2%B2", "?after=-1"])
async def test_a_resume_from_the_future_or_garbled_is_refused(project, member, query):
    socket, hello = await join(project.pk, query=query)
    assert hello["seq"] == 0
    error = await frame(socket)
    assert (error["type"], error["code"]) == (
        "error",
        "ahead" if query == "?after=5" else "invalid",
    )
    await socket.send_json_to({"type": "resume", "after": 3})
    assert (await frame(socket))["code"] == "ahead"
    # Not believed: the next events still arrive, from seq 1.
    await post(member, project, "premier")
    assert (await frame(socket))["seq"] == 1
    await socket.disconnect()


async def test_binary_frame_refused(project, member):
    socket, _ = await join(project.pk, await login(member))
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await frame(socket))["code"] == "bad_frame"
    await socket.disconnect()


async def test_losing_access_closes_socket(restricted_project, owner, member):
    socket, _ = await join(restricted_project.pk, await login(member))

    @database_sync_to_async
    def remove_member():
        with transaction.atomic():
            services.remove_member(by=owner, project=restricted_project, user_id=member.pk)

    await remove_member()
    assert (await frame(socket))["code"] == "access_lost"
    assert await closed_with(socket) == 4404


async def test_deleted_project_closes_socket(project, owner):
    socket, _ = await join(project.pk, await login(owner))

    @database_sync_to_async
    def delete():
        with transaction.atomic():
            workflow_services.delete_project(by=owner, project=project)

    await delete()
    assert (await frame(socket))["code"] == "access_lost"
    assert await closed_with(socket) == 4404


async def test_restricting_a_project_closes_a_visitor_socket(project, owner):
    socket, _ = await join(project.pk, None)

    @database_sync_to_async
    def restrict():
        services.update_project(by=owner, project=project, visibility="restricted")

    await restrict()
    assert (await frame(socket))["code"] == "access_lost"
    assert await closed_with(socket) == 4404


async def test_presence(project, owner, member):
    first, _ = await join(project.pk, await login(owner))
    assert [v["username"] for v in (await first.receive_json_from())["viewers"]] == ["owner"]
    second, _ = await join(project.pk, await login(member))
    update = await first.receive_json_from()
    assert update["type"] == "presence"
    assert {v["username"] for v in update["viewers"]} == {"owner", "member"}
    await second.disconnect()
    update = await first.receive_json_from()
    assert [v["username"] for v in update["viewers"]] == ["owner"]
    await first.disconnect()


async def test_a_replay_after_moderation_serves_no_text(project, member, curator):
    comment = await post(member, project, "Propos injurieux")
    await database_sync_to_async(delete_comment)(by=curator, comment=comment.pk)
    socket, _ = await join(project.pk, query="?after=0")
    replayed = [await frame(socket) for _ in range(2)]
    assert [e["type"] for e in replayed] == [events.COMMENT_CREATED, events.COMMENT_DELETED]
    assert "injurieux" not in json.dumps(replayed)
    await socket.disconnect()
