"""Sends to the channel layer from synchronous code (``incubator.layer``): with a layer the
processes share (Redis), one long-lived loop of the process carries them all, in order."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from incubator import layer


@pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="needs REDIS_URL: make test runs it in its second pass when Redis answers",
)
def test_sends_from_any_thread_go_through_one_loop_in_order():
    group = "layer-test"

    def send(n: int):
        layer.group_send(
            [(group, {"type": "test.message", "n": n, "part": part}) for part in (1, 2)]
        )
        return layer._background_loop()

    async def listen():
        channels = get_channel_layer()
        channel = await channels.new_channel()
        await channels.group_add(group, channel)
        with ThreadPoolExecutor(max_workers=4) as pool:
            loops = await asyncio.gather(
                *(asyncio.get_running_loop().run_in_executor(pool, send, n) for n in range(4))
            )
        received = [await asyncio.wait_for(channels.receive(channel), 5) for _ in range(8)]
        await channels.group_discard(group, channel)
        return loops, received

    loops, received = asyncio.run(listen())
    assert len(set(map(id, loops))) == 1
    assert not loops[0].is_closed()
    assert sorted((m["n"], m["part"]) for m in received) == [
        (n, p) for n in range(4) for p in (1, 2)
    ]
    for n in range(4):  # each caller's messages arrive in the order it sent them
        assert [m["part"] for m in received if m["n"] == n] == [1, 2]


def test_nothing_is_sent_for_nothing(monkeypatch):
    monkeypatch.setattr(layer, "_background_loop", lambda: pytest.fail("no loop for no message"))
    layer.group_send([])
