"""A webhook receiver on 127.0.0.1 that verifies every signature with the
``standardwebhooks`` library, as a partner's service would, and can misbehave on demand."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

HUGE = 10 * 1024 * 1024


class Receiver:
    """``mode``: ``ok`` (204 when the signature verifies, 400 otherwise), ``fail`` (500
    always), ``hang`` (answers nothing until ``release``), ``huge`` (200 with a 10 MB body),
    ``redirect`` (302 to ``redirect_to``). ``stop``/``start`` take it down and up again on
    the same port."""

    def __init__(self, secret: str | None = None):
        self.secret = secret
        self.mode = "ok"
        self.redirect_to = "http://127.0.0.1:9/elsewhere"
        self.received: list[dict] = []  # verified messages: headers and parsed body
        self.rejected: list[str] = []  # why a signature did not verify
        self.requests = 0
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.arrived = threading.Condition(self.lock)
        self.port = 0
        self.server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests += 1
                mode = receiver.mode
                if mode == "hang":
                    receiver.released.wait(60)
                    return self.answer(204)
                if mode == "fail":
                    return self.answer(500, b"boom")
                if mode == "redirect":
                    return self.answer(302, headers={"Location": receiver.redirect_to})
                if mode == "huge":
                    self.send_response(200)
                    self.send_header("Content-Length", str(HUGE))
                    self.end_headers()
                    try:
                        chunk = b"x" * 65536
                        for _n in range(HUGE // len(chunk)):
                            self.wfile.write(chunk)
                    except OSError:
                        pass  # the sender stopped reading: as it should
                    return None
                try:
                    message = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError as error:
                    with receiver.lock:
                        receiver.rejected.append(str(error))
                    return self.answer(400)
                with receiver.arrived:
                    receiver.received.append(
                        {
                            "id": self.headers["webhook-id"],
                            "timestamp": self.headers["webhook-timestamp"],
                            "signature": self.headers["webhook-signature"],
                            "body": message,
                            "raw": body,
                        }
                    )
                    receiver.arrived.notify_all()
                return self.answer(204)

            def answer(self, code, body=b"", headers=None):
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def release(self):
        self.released.set()

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        """The verified messages once ``count`` have arrived (or what came by ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count and time.monotonic() < deadline:
                self.arrived.wait(deadline - time.monotonic())
            return list(self.received)

    def payloads(self) -> list[dict]:
        return [json.loads(message["raw"]) for message in self.received]
