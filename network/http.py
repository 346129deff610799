"""One bounded HTTP request to a checked ``Target``: pinned to its resolved addresses,
redirects never followed, a deadline for the whole exchange and a cap on what is read.

Only what a receiver's answer needs is read: the status line, the headers (http.client caps
their number and length) and at most ``max_bytes`` of the body; the rest is left unread and
the connection closed. A watchdog shuts the socket at the deadline, so a server that drips
one byte a second cannot hold the caller longer than ``timeout`` in total.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from .addresses import Refused, Target

CHUNK = 16_384


@dataclass(frozen=True)
class Answer:
    """What came back: the status, the headers (lower-case names), up to ``max_bytes`` of
    the body, whether more was there (``truncated``), and how long the exchange took."""

    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool
    seconds: float


class _Watchdog:
    """Shuts ``sock`` down at the deadline, whatever call it is blocked in."""

    def __init__(self, seconds: float):
        self.fired = False
        self.sock: socket.socket | None = None
        self._timer = threading.Timer(max(seconds, 0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self):
        self.fired = True
        if self.sock is not None:
            # The plain socket's shutdown, also under TLS: a blocked read returns at once.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def cancel(self):
        self._timer.cancel()


def _connect(target: Target, deadline: float) -> socket.socket:
    last = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Refused("timeout")
        try:
            return socket.create_connection((address, target.port), timeout=remaining)
        except TimeoutError:
            last = Refused("timeout")
        except OSError as error:
            last = Refused("unreachable", str(error)[:200])
    raise last or Refused("unreachable")


def post(
    target: Target,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    user_agent: str = "nec-incubator",
) -> Answer:
    """POST ``body`` to ``target``; the answer whatever its status (a 3xx is returned, not
    followed), or ``Refused`` (``timeout``, ``unreachable``, ``tls``, ``bad_response``)."""
    started = time.monotonic()
    deadline = started + timeout
    watchdog = _Watchdog(timeout)
    sock = None
    try:
        sock = _connect(target, deadline)
        watchdog.sock = sock
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        if target.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=target.host)
            watchdog.sock = sock
            connection = http.client.HTTPSConnection(target.host, target.port, context=context)
        else:
            connection = http.client.HTTPConnection(target.host, target.port)
        # The socket is ours, already pinned: http.client never resolves the host itself.
        connection.sock = sock
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": user_agent, "Connection": "close", **headers},
        )
        response = connection.getresponse()
        received = bytearray()
        truncated = False
        while True:
            chunk = response.read(min(CHUNK, max_bytes + 1 - len(received)))
            if not chunk:
                break
            received += chunk
            if len(received) > max_bytes:
                truncated = True
                del received[max_bytes:]
                break
        return Answer(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=bytes(received),
            truncated=truncated,
            seconds=time.monotonic() - started,
        )
    except Refused:
        raise
    except ssl.SSLError as error:
        if watchdog.fired:
            raise Refused("timeout") from None
        raise Refused("tls", str(error)[:200]) from None
    except TimeoutError:
        raise Refused("timeout") from None
    except (http.client.HTTPException, ValueError) as error:
        if watchdog.fired:
            raise Refused("timeout") from None
        raise Refused("bad_response", f"{type(error).__name__}: {error}"[:200]) from None
    except OSError as error:
        if watchdog.fired:
            raise Refused("timeout") from None
        raise Refused("unreachable", str(error)[:200]) from None
    finally:
        watchdog.cancel()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
