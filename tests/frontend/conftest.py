"""Test-client helpers for the pages, and the real server and browser of the browser tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import Client


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


@pytest.fixture(scope="module")
def reference_data(django_db_setup):
    """The migrations' data (groups, gates, criteria, themes...) as pytest-django serialized
    it for ``serialized_rollback``, read before a browser starts (see ``restore_reference``)."""
    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture
def restore_reference(reference_data):
    """Put the migrations' data back after an earlier transactional test flushed it.

    ``serialized_rollback`` cannot do it here: while Playwright's event loop runs in the
    test thread, Django hands out a fresh connection object that lacks the serialized copy.
    """
    connection = connections["default"]
    if reference_data and not hasattr(connection, "_test_serialized_contents"):
        # So that the flush after the test leaves the rows of post_migrate out, as
        # serialized_rollback expects for the tests that follow.
        connection._test_serialized_contents = reference_data
    if reference_data and not Group.objects.exists():
        # The flush re-created content types and permissions under new ids: put the
        # original rows back, with the ids the serialized data refers to.
        ContentType.objects.all().delete()
        connection.creation.deserialize_db_from_string(reference_data)
        ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def chromium(reference_data):
    """Debian's Chromium driven by Playwright; skipped when it is not installed, except on
    CI where a missing browser fails the run. Module-scoped: the tests that follow run
    without Playwright's event loop in their thread.

    The tests' own ORM calls stay plain synchronous code, so Django's async-safety guard is
    lifted while the browser lives."""
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


@pytest.fixture
def open_page(chromium, daphne_url):
    """``open_page(user)`` opens a fresh browser context (signed in when a user is given)."""
    from .browser_support import DESKTOP, sign_in

    contexts = []

    def make(user=None, *, viewport=DESKTOP, locale="fr-FR", javascript=True):
        context = chromium.new_context(
            base_url=daphne_url,
            viewport=viewport,
            locale=locale,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, user)
        return page

    yield make
    for context in contexts:
        context.close()
