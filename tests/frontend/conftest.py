"""Test-client helpers for the pages, and the real server and browser of the browser tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from projects import services as project_services
from workflows import services as workflow_services


@pytest.fixture
def browse():
    """``browse(user)`` is a test client signed in as ``user`` (None: a visitor), with CSRF
    checks on like a real browser."""

    def make(user=None):
        client = Client(enforce_csrf_checks=False)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def proposed(owner, member):
    """A project proposed through the workflow, so it has its first checklist."""
    project = workflow_services.propose_project(
        by=owner, title="Kit d'inclusion numérique", summary="Un kit pour les premiers pas."
    )
    project_services.add_member(by=owner, project=project, user_id=member.pk, role="member")
    return project


@pytest.fixture
def hidden(owner, member):
    """A restricted project of the same team."""
    project = workflow_services.propose_project(
        by=owner, title="Projet discret", summary="Réservé à l'équipe.", visibility="restricted"
    )
    project_services.add_member(by=owner, project=project, user_id=member.pk, role="member")
    return project


# Browser tests ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """Debian's Chromium driven by Playwright; skipped when it is not installed, except on
    CI where a missing browser fails the run.

    Playwright's sync API keeps an event loop running in the test thread; the tests' own
    ORM calls stay plain synchronous code, so Django's async-safety guard is lifted while
    the browser lives."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI installs the Debian package chromium")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def daphne_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Daphne (HTTP and websockets) on a free port, serving the test database."""
    port = _free_port()
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.frontend.browser_settings",
        "BROWSER_TEST_DATABASE": str(settings.DATABASES["default"]["NAME"]),
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)),
                "incubator.asgi:application",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"Daphne did not start:\n{log.read_text()}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
