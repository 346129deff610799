"""Two Daphne processes on one PostgreSQL and one Redis serve the same projects.

A comment posted through one process reaches a socket held by the other, and a client that
reconnects to either process resumes without loss or repetition.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from django.conf import settings
from django.db import connection

from accounts.tokens import issue_token

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = [sys.executable, "-m", "daphne", "-b", "127.0.0.1"]
WAIT = 20  # seconds before a missing frame or a silent server fails the test

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not settings.REDIS_URL,
        reason="needs DATABASE_URL=postgres://... and REDIS_URL: make test runs it in its "
        "second pass when PostgreSQL and Redis answer",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database this process uses, for the servers to share it."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"Daphne did not listen on {port}")


@pytest.fixture
def servers(transactional_db):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DEBUG": "0",
    }
    ports = [free_port(), free_port()]
    started = [
        subprocess.Popen(
            [*DAPHNE, "-p", str(port), "incubator.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, started, strict=True):
            wait_for(port, server)
        yield ports
    finally:
        for server in started:
            server.terminate()
        for server in started:
            server.wait(timeout=WAIT)
        connection.close()


@pytest.fixture
def token(member):
    return issue_token(user=member, name="scale-out")[1]


async def listen(port: int, project_id: int, query: str = ""):
    sock = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/projects/{project_id}/{query}",
        origin=f"http://127.0.0.1:{port}",
        open_timeout=WAIT,
    )
    hello = await next_frame(sock)
    assert hello["type"] == "hello"
    return sock, hello


async def next_frame(sock) -> dict:
    while True:
        data = json.loads(await asyncio.wait_for(sock.recv(), WAIT))
        if data["type"] != "presence":
            return data


async def test_comment_crosses_processes_and_resume_works_on_either(servers, project, token):
    first, second = servers
    comments = f"/api/projects/{project.pk}/comments/"

    async with httpx.AsyncClient(headers={"Authorization": f"Token {token}"}) as http:

        async def post(port: int, body: str) -> dict:
            response = await http.post(f"http://127.0.0.1:{port}{comments}", json={"body": body})
            assert response.status_code == 201, response.text
            return response.json()

        watcher, hello = await listen(second, project.pk)
        assert hello["seq"] == 0
        posted = await post(first, "Posté sur le premier processus")
        event = await next_frame(watcher)
        assert (event["seq"], event["type"], event["id"]) == (1, "comment.created", posted["id"])
        await watcher.close()

        await post(first, "pendant la coupure 1")
        await post(second, "pendant la coupure 2")

        for port in (first, second):
            back, hello = await listen(port, project.pk)
            assert hello["seq"] == 3
            await back.send(json.dumps({"type": "resume", "after": 1}))
            replayed = [await next_frame(back) for _ in range(3)]
            assert [f.get("seq") for f in replayed] == [2, 3, 3]
            assert [f["type"] for f in replayed] == [
                "comment.created",
                "comment.created",
                "resumed",
            ]
            await back.close()

        near, _ = await listen(first, project.pk)
        far, _ = await listen(second, project.pk)
        await post(second, "à tous")
        assert (await next_frame(near))["seq"] == 4
        assert (await next_frame(far))["seq"] == 4
        await near.close()
        await far.close()
