"""One Daphne process on 127.0.0.1 for the benchmarks that need a real server
(``fanout.py``, ``live_pages.py``, ``pages.py``), on the SQLite database of ``data_dir``."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Debian's Chromium, for the benchmarks that drive a browser through Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    port: int,
    data_dir: str,
    *,
    app: str = "incubator.asgi:application",
    redis_url: str = "",
    log_name: str = "daphne.log",
    root: Path = ROOT,
    **settings: str,
) -> subprocess.Popen:
    """Start Daphne on the code of ``root`` with the embedded profile (plus ``REDIS_URL`` if
    given, and the environment ``settings``); return once it accepts connections."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DATA_DIR=data_dir,
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
        COMMENT_RATE_COUNT="100000",
        COMMENT_RATE_SECONDS="1",
        **settings,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = open(Path(data_dir) / log_name, "ab")  # noqa: SIM115  (lives with the process)
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"Daphne exited, see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("Daphne did not start")


def setup_django(data_dir: str, *, async_unsafe: bool = False) -> None:
    """Django in this process on the same embedded database as the server, migrated.
    ``async_unsafe`` lets the ORM run beside Playwright's event loop."""
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
    if async_unsafe:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
