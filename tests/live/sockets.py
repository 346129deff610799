"""Helpers to talk to the real ASGI application through Channels' WebsocketCommunicator."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from incubator.asgi import application

ORIGIN = b"http://127.0.0.1"
HOST = b"127.0.0.1"  # the Host a browser on ORIGIN's page sends
WAIT = 5  # seconds before a missing frame fails the test (never a timing assertion)


@database_sync_to_async
def login(user) -> str:
    """The session cookie a browser would send for ``user``."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def open_socket(
    path: str,
    cookie: str | None = None,
    origin: bytes | None = ORIGIN,
    host: bytes = HOST,
    extra_headers=(),
):
    headers = [(b"host", host), *extra_headers]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect(timeout=WAIT)
    return socket, connected


async def closed_with(socket) -> int:
    """The close code of a socket the server accepted and then closed."""
    message = await socket.receive_output(timeout=WAIT)
    while message["type"] == "websocket.send":
        message = await socket.receive_output(timeout=WAIT)
    assert message["type"] == "websocket.close"
    return message.get("code")


async def frame(socket, skip=("presence",)) -> dict:
    """The next frame, passing over best-effort presence frames."""
    while True:
        data = await socket.receive_json_from(timeout=WAIT)
        if data["type"] not in skip:
            return data


async def join(project_id: int, cookie: str | None = None, query: str = ""):
    """Open a project socket and read its ``hello``."""
    socket, connected = await open_socket(f"/ws/projects/{project_id}/{query}", cookie)
    assert connected
    hello = await frame(socket)
    assert hello["type"] == "hello"
    return socket, hello


async def settle(socket) -> None:
    """Round-trip a ping: every frame the server queued before it has been read."""
    await socket.send_json_to({"type": "ping"})
    while (await frame(socket))["type"] != "pong":
        pass
