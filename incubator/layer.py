"""Sending to the channel layer from synchronous code: the services after commit, tasks.

Outside a server's event loop (a worker, the clock, a command, a benchmark's thread),
``async_to_sync`` makes a new event loop and thread for every call, and with Redis a new
connection: about 3 ms of CPU per send. With a layer that processes share (Redis), the
sends of a process go instead through one long-lived loop in a background thread, which
keeps its connection. The in-memory layer lives in the server's loop with its consumers:
it keeps ``async_to_sync``, which hands the send to that loop.
"""

import asyncio
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    """This process's loop for the layer, started on first use (again in a forked child)."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-layer", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def group_send(messages: list[tuple[str, dict]]) -> None:
    """Send ``(group, message)`` pairs to the channel layer, in order, and return once they
    are sent; nothing without a layer."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send():
        for group, message in messages:
            await layer.group_send(group, message)

    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(send)()
    else:
        asyncio.run_coroutine_threadsafe(send(), _background_loop()).result()
