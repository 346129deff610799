"""Real repositories for the scanner's tests: built with ``git`` and served over smart HTTP
by ``git http-backend`` behind a small threaded server on 127.0.0.1, so clones go the way
they go in production.

Besides the repositories under ``/git/``, a few addresses misbehave on purpose:
``/hang/`` never answers, ``/plain/`` is a web page, ``/redirect/<url>`` redirects there.
"""

import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

NOW = datetime.now(UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


class Handler(BaseHTTPRequestHandler):
    server_version = "test-forge"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        parts = urlsplit(self.path)
        if parts.path.startswith("/hang/"):
            time.sleep(30)
            return
        if parts.path.startswith("/plain/"):
            body = b"<html><body>Not a repository</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if parts.path.startswith("/redirect/"):
            target = unquote(parts.path[len("/redirect/") :]).split("/info/refs")[0]
            self.send_response(302)
            self.send_header("Location", target + "/info/refs?" + parts.query)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not parts.path.startswith("/git/"):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": parts.path[len("/git") :],
            "QUERY_STRING": parts.query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "uploadpack.allowFilter",
            "GIT_CONFIG_VALUE_0": "true",
            "GIT_CONFIG_KEY_1": "uploadpack.allowAnySHA1InWant",
            "GIT_CONFIG_VALUE_1": "true",
        }
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        head, _sep, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _colon, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class GitServer:
    def __init__(self, root: Path):
        self.root = root
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = root
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, name: str) -> str:
        return f"{self.base}/git/{name}.git"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Alice",
        "GIT_AUTHOR_EMAIL": "alice@example.org",
        "GIT_COMMITTER_NAME": "Alice",
        "GIT_COMMITTER_EMAIL": "alice@example.org",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env={**base, **(env or {})}, check=True, capture_output=True
    ).stdout.decode()


class Repo:
    """A repository under construction: write files, commit as someone at some date, tag,
    then ``publish`` it as a bare repository on the server."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    def write(self, name: str | bytes, content: str | bytes) -> "Repo":
        raw = name if isinstance(name, bytes) else name.encode()
        # Names that are not UTF-8 go through as bytes (os.fsdecode keeps them intact).
        target = Path(os.fsdecode(os.fsencode(self.path) + b"/" + raw))
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)
        return self

    def commit(self, message="change", *, author="Alice", email="alice@example.org", at=None):
        when = (at or NOW).strftime("%Y-%m-%dT%H:%M:%S+0000")
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        }
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return self

    def tag(self, name: str, *, at=None) -> "Repo":
        when = (at or NOW).strftime("%Y-%m-%dT%H:%M:%S+0000")
        git(self.path, "tag", "-a", name, "-m", name, env={"GIT_COMMITTER_DATE": when})
        return self

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def publish(self, server: GitServer, name: str) -> str:
        bare = server.root / f"{name}.git"
        git(self.path, "clone", "-q", "--bare", str(self.path), str(bare))
        return server.url(name)
