"""The production topology, started for real: nginx (the repository's deploy/nginx.conf) in
front of two Daphne processes, one worker, PostgreSQL, Redis and an SMTP server.

A client without a browser signs in through nginx, opens sockets that nginx spreads over
both Daphnes, posts comments through nginx; every socket gets every event and the
notification e-mail reaches the SMTP server. A worker killed in the middle of a send does
not lose the mail: it leaves, once, when a worker is back.
"""

import asyncio
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from notifications.services import set_preferences
from outbox.models import Message
from tests.conftest import PASSWORD
from tests.smtp import SMTPServer
from tests.test_scale_out import WAIT, database_url, free_port, next_frame, wait_for

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not settings.REDIS_URL,
        reason="needs DATABASE_URL=postgres://... and REDIS_URL: make test runs it in its "
        "second pass when PostgreSQL and Redis answer",
    ),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def nginx_config(tmp: Path, listen: int, upstreams: list[int], static: Path) -> Path:
    """The repository's server block with this run's ports and static files, inside a
    minimal main config that keeps every file nginx writes in ``tmp``."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "alias /srv/incubator/staticfiles/;" in site, "deploy/nginx.conf lost its static files"
    site = site.replace("/srv/incubator/staticfiles/", f"{static}/")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstreams[0]};")
    site = site.replace("server 127.0.0.1:8002;", f"server 127.0.0.1:{upstreams[1]};")
    assert f":{upstreams[1]};" in site, "deploy/nginx.conf lost its upstream lines"
    (tmp / "site.conf").write_text(site)
    main = tmp / "nginx.conf"
    # Started by root, nginx's workers would run as nobody, who cannot read pytest's private
    # temporary folders (the collected static files): they run as the test's own user.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
    main.write_text(
        f"""daemon off;
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
    )
    return main


class Topology:
    def __init__(self, tmp: Path, smtp: SMTPServer, static: Path):
        self.tmp = tmp
        self.static = static
        self.smtp = smtp
        self.daphne_ports = [free_port(), free_port()]
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DEBUG": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "30",
            "MAIL_RETRY_SECONDS": "1",
            "TASKS_STALE_SECONDS": "2",
            "SITE_URL": "http://127.0.0.1",
            # Production serves hashed static files: collected here, not in the tree.
            "STATIC_ROOT": str(static),
        }
        self.processes = []
        self.workers = []

    def start(self, command: list[str], log: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=open(self.tmp / log, "wb"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def start_worker(self) -> subprocess.Popen:
        worker = self.start(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            f"worker-{len(self.workers)}.log",
        )
        self.workers.append(worker)
        return worker

    def clock_once(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "clock", "--once"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=WAIT * 3,
        )

    def up(self):
        for index, port in enumerate(self.daphne_ports):
            server = self.start(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "--access-log",
                    str(self.tmp / f"daphne-{index}.access"),
                    "incubator.asgi:application",
                ],
                f"daphne-{index}.log",
            )
            wait_for(port, server)
        config = nginx_config(self.tmp, self.port, self.daphne_ports, self.static)
        nginx = self.start(
            [NGINX, "-c", str(config), "-p", str(self.tmp), "-e", str(self.tmp / "error.log")],
            "nginx.log",
        )
        wait_for(self.port, nginx)
        self.start_worker()

    def down(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()

    def socket_connects(self) -> list[int]:
        """How many sockets each Daphne accepted, from its access log."""
        counts = []
        for index in range(2):
            log = self.tmp / f"daphne-{index}.access"
            counts.append(log.read_text().count('"WSCONNECT ') if log.exists() else 0)
        return counts


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Production serves hashed static files: collected once, outside the tree."""
    static = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "STATIC_ROOT": str(static)},  # the production profile's storage
        check=True,
        timeout=WAIT * 15,
    )
    return static


@pytest.fixture
def owner_wants_mail(owner):
    set_preferences(by=owner, choices={"mention": {"email": "immediate"}})
    return owner


@pytest.fixture
def member_password(member, settings):
    """The servers check passwords with the real hashers, not the tests' fast one."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    member.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    member.save(update_fields=["password"])
    return member


@pytest.fixture
def topology(tmp_path, transactional_db, static_root, member_password):
    smtp = SMTPServer()
    smtp.start()
    system = Topology(tmp_path, smtp, static_root)
    try:
        system.up()
        yield system
    finally:
        system.down()
        smtp.stop()
        connection.close()


async def sign_in(base: str, username: str) -> dict:
    """Sign in through the login page as a browser would; returns the cookies. Production
    cookies are Secure and this test speaks plain HTTP, so they are carried by hand."""
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        page = await http.get("/accounts/login/")
        assert page.status_code == 200
        csrf = page.cookies["csrftoken"]
        response = await http.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Cookie": f"csrftoken={csrf}", "Referer": f"{base}/accounts/login/"},
        )
        assert response.status_code == 302, response.text
        return {"csrftoken": csrf, "sessionid": response.cookies["sessionid"]}


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def wait_until(predicate, what: str):
    deadline = time.monotonic() + WAIT * 2
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_through_nginx_every_socket_gets_every_event_and_the_mail_leaves(
    topology, project, owner_wants_mail, member
):
    base = f"http://127.0.0.1:{topology.port}"
    cookies = await sign_in(base, member.username)
    sockets = []
    for _ in range(6):
        sock = await websockets.connect(
            f"ws://127.0.0.1:{topology.port}/ws/projects/{project.pk}/",
            origin="http://127.0.0.1",
            additional_headers={"Cookie": cookie_header(cookies)},
            open_timeout=WAIT,
        )
        assert (await next_frame(sock))["type"] == "hello"
        sockets.append(sock)
    spread = topology.socket_connects()
    assert len(sockets) == sum(spread) and all(spread), spread  # both Daphnes hold sockets

    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        posted = []
        for body in ("@owner une question ?", "Deuxième message", "Troisième message"):
            response = await http.post(
                f"/api/projects/{project.pk}/comments/",
                json={"body": body},
                headers={
                    "Cookie": cookie_header(cookies),
                    "X-CSRFToken": cookies["csrftoken"],
                    "Referer": f"{base}/",
                },
            )
            assert response.status_code == 201, response.text
            posted.append(response.json()["id"])
    for sock in sockets:
        events = [await next_frame(sock) for _ in posted]
        assert [(e["type"], e["id"]) for e in events] == [("comment.created", i) for i in posted]
        await sock.close()

    await wait_until(lambda: topology.smtp.inbox.to("owner@example.org"), "the e-mail")
    [mail] = topology.smtp.inbox.to("owner@example.org")
    assert "mentionné" in mail["Subject"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_worker_killed_in_the_middle_of_a_send_loses_nothing(
    topology, project, owner_wants_mail, member
):
    inbox = topology.smtp.inbox
    inbox.stall.set()  # the next SMTP conversation hangs at RCPT
    base = f"http://127.0.0.1:{topology.port}"
    cookies = await sign_in(base, member.username)
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        response = await http.post(
            f"/api/projects/{project.pk}/comments/",
            json={"body": "@owner urgent"},
            headers={"Cookie": cookie_header(cookies), "X-CSRFToken": cookies["csrftoken"]},
        )
        assert response.status_code == 201, response.text
    await wait_until(inbox.stalled.is_set, "the worker to be in the middle of the send")
    worker = topology.workers[0]
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT)
    inbox.release.set()
    assert inbox.messages == []
    # Back: a new worker, and the clock puts the dead worker's task back in the queue.
    topology.start_worker()
    await asyncio.sleep(2.5)  # past TASKS_STALE_SECONDS
    await asyncio.to_thread(topology.clock_once)
    await wait_until(lambda: inbox.to("owner@example.org"), "the e-mail after the restart")
    await asyncio.sleep(1)
    assert len(inbox.to("owner@example.org")) == 1

    def status():
        try:
            return Message.objects.get().status
        finally:
            connection.close()  # this thread's own connection

    assert await asyncio.to_thread(status) == "sent"


def test_nginx_serves_the_hashed_static_files_compressed_and_for_a_year(topology):
    base = f"http://127.0.0.1:{topology.port}"
    page = httpx.get(f"{base}/accounts/login/", timeout=WAIT).text
    hashed = re.search(r'src="(/static/frontend/js/forms\.[0-9a-f]{12}\.js)"', page)
    assert hashed, "the pages name the hashed files"
    answer = httpx.get(base + hashed[1], headers={"Accept-Encoding": "gzip"}, timeout=WAIT)
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "focusErrors" in answer.text
    plain = httpx.get(f"{base}/static/frontend/js/forms.js", timeout=WAIT)
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    # Not a file of the static root: not served, and never the application's.
    assert httpx.get(f"{base}/static/../manage.py", timeout=WAIT).status_code in (400, 404)
