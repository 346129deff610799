"""A socket lives as long as its session: signing out, a password change or reset, and a
deactivation close it with 4401."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client

from discussion.models import Comment
from discussion.services import post_comment
from live import consumers
from tests.conftest import PASSWORD
from tests.live.sockets import closed_with, frame, join, open_socket, settle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def signed_in(user) -> tuple[Client, str]:
    """A browser signed in with the password, and its cookie header."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client, f"sessionid={client.cookies['sessionid'].value}"


async def ended(socket) -> int:
    """The socket's last frame is the ``session_ended`` error, then it closes. Best-effort
    ``presence`` frames (no ``seq``) may still come first, as on Redis they can."""
    error = await frame(socket)
    while error["type"] == "presence":
        error = await frame(socket)
    assert (error["type"], error["code"]) == ("error", "session_ended")
    return await closed_with(socket)


async def test_signing_out_closes_the_sessions_sockets_at_once(restricted_project, member):
    browser, cookie = await signed_in(member)
    socket, _ = await join(restricted_project.pk, cookie)
    notifications, connected = await open_socket("/ws/notifications/", cookie)
    assert connected
    assert (await notifications.receive_json_from())["type"] == "unread"
    other_browser, other_cookie = await signed_in(member)
    other, _ = await join(restricted_project.pk, other_cookie)

    await database_sync_to_async(browser.post)("/accounts/logout/")
    assert await ended(socket) == 4401
    assert await ended(notifications) == 4401
    # The same person's other session was not signed out: its socket stays.
    await settle(other)
    await database_sync_to_async(post_comment)(
        by=member, project=restricted_project, body="toujours là"
    )
    assert (await frame(other))["type"] == "comment.created"
    await other.disconnect()
    del other_browser


async def test_after_signing_out_the_socket_cannot_post(project, member):
    browser, cookie = await signed_in(member)
    socket, _ = await join(project.pk, cookie)
    await database_sync_to_async(browser.post)("/accounts/logout/")
    await socket.send_json_to({"type": "comment.create", "body": "encore moi"})
    assert await ended(socket) == 4401
    assert not await database_sync_to_async(Comment.objects.exists)()


async def test_a_password_change_closes_every_socket_of_the_person(restricted_project, member):
    changer, changer_cookie = await signed_in(member)
    _elsewhere, cookie = await signed_in(member)
    socket, _ = await join(restricted_project.pk, cookie)
    kept, _ = await join(restricted_project.pk, changer_cookie)
    new = "another-password-5678"
    response = await database_sync_to_async(changer.post)(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert await ended(socket) == 4401
    # Even the changing browser's: Django gave its session a new key, the page reconnects.
    assert await ended(kept) == 4401
    assert (await database_sync_to_async(changer.get)("/api/me/")).status_code == 200


async def test_a_session_ended_without_a_message_closes_at_the_next_check(
    project, member, monkeypatch
):
    # Another process deleted the session, or it expired: the timer finds out.
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.01)
    _browser, cookie = await signed_in(member)
    socket, _ = await join(project.pk, cookie)
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    assert await ended(socket) == 4401


async def test_a_deactivated_account_is_closed_at_the_next_check(project, member, monkeypatch):
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.01)
    _browser, cookie = await signed_in(member)
    socket, _ = await join(project.pk, cookie)
    member.is_active = False
    await database_sync_to_async(member.save)()
    assert await ended(socket) == 4401
