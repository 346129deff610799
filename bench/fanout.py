"""Fan-out benchmark of the project sockets, against a bare Channels broadcast.

For each channel layer (in-memory, Redis pub/sub) and each number of clients, it starts one
Daphne process on 127.0.0.1 (SQLite in a temporary folder), opens N sockets on one project,
posts comments through the API at steady rates, and measures per delivery the latency from
the post to the frame's arrival: p50/p95/p99/max, completeness, and the highest rate
sustained with every delivery made and p99 <= 300 ms. The same run drives a default Channels
consumer doing a plain group broadcast (frames of the same size, no application logic) as
the baseline.

    .venv/bin/python bench/fanout.py                       # everything, a few minutes
    .venv/bin/python bench/fanout.py --layers redis --clients 1000 --rates 4000,8000
"""

import argparse
import asyncio
import base64
import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from daphne_server import free_port, setup_django, start_server

ROOT = Path(__file__).resolve().parent.parent
MARK = b"bench:"
P99_LIMIT_MS = 300
GIVE_UP_P99_MS = 3000
CONNECT_CONCURRENCY = 50


def setup_database(data_dir: str) -> tuple[int, str]:
    """A fresh SQLite database with one public project and an API token."""
    setup_django(data_dir)
    from django.contrib.auth import get_user_model

    from accounts.tokens import issue_token
    from workflows.services import propose_project

    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-password")
    project = propose_project(by=user, title="Banc d'essai", summary="Diffusion en temps réel.")
    return project.pk, issue_token(user=user, name="bench")[1]


class LeanSocket(asyncio.Protocol):
    """A receive-only websocket client that parses frames by hand: a general-purpose client
    library costs more per message than the server under test, and would measure itself."""

    def __init__(self, fleet: "Fleet", request: bytes, opened: asyncio.Future):
        self.fleet = fleet
        self.request = request
        self.opened = opened
        self.buffer = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        self.buffer += data
        if not self.opened.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buffer[:16]:
                self.opened.set_exception(OSError(bytes(self.buffer[:40]).decode("latin1")))
                return
            del self.buffer[: end + 4]
            self.opened.set_result(self)
        self.parse()

    def parse(self):
        buf, pos, size = self.buffer, 0, len(self.buffer)
        now = time.time()
        while size - pos >= 2:
            length, head = buf[pos + 1] & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + length:
                break
            if buf[pos] & 0x0F == 1:  # a text frame
                self.fleet.arrived(buf, pos + head, pos + head + length, now)
            pos += head + length
        del buf[:pos]

    def connection_lost(self, exc):
        self.fleet.closed += 1


class Fleet:
    """N client sockets; counts deliveries per post and their latencies."""

    def __init__(self):
        self.sockets = []
        self.counts = Counter()
        self.latencies = []
        self.closed = 0
        self.last_arrival = 0.0
        self.window = range(0)  # the posts of the current step; late ones are not counted
        self.stalled = []

    async def open(self, port: int, path: str, n: int):
        loop = asyncio.get_running_loop()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one():
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                f"Origin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
            async with limit:
                opened = loop.create_future()
                await loop.create_connection(
                    lambda: LeanSocket(self, request, opened), "127.0.0.1", port
                )
                return await asyncio.wait_for(opened, 60)

        self.sockets = await asyncio.gather(*(one() for _ in range(n)))

    async def open_stalled(self, port: int, path: str, n: int):
        """Sockets that never read once open (opened before the readers): they must not
        slow the others down."""
        await self.open(port, path, n)
        self.stalled, self.sockets = self.sockets, []
        for sock in self.stalled:
            sock.transport.pause_reading()

    def arrived(self, buf: bytearray, start: int, end: int, now: float):
        mark = buf.find(MARK, start, end)
        if mark < 0:
            return
        post, sent = bytes(buf[mark + len(MARK) : buf.find(b";", mark, end)]).split(b":")
        if int(post) not in self.window:
            return
        self.counts[int(post)] += 1
        self.latencies.append(now - float(sent))
        self.last_arrival = now

    async def close(self):
        for sock in self.sockets + self.stalled:
            sock.transport.close()
        await asyncio.sleep(1)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def step(fleet: Fleet, n: int, deliveries: int, seconds: float, post, first_id: int):
    """Post at ``deliveries / n`` per second for ``seconds``; wait for the stragglers."""
    rate = deliveries / n
    posts = max(1, int(rate * seconds))
    fleet.counts.clear()
    fleet.latencies = []
    fleet.window = range(first_id, first_id + posts)
    closed_before = fleet.closed
    begin = time.perf_counter()
    started = time.time()
    tasks = []
    for k in range(posts):
        delay = begin + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(first_id + k)))
    failures = sum(1 for ok in await asyncio.gather(*tasks) if not ok)
    expected = posts * n
    quiet_since, seen = time.monotonic(), -1
    while sum(fleet.counts.values()) < expected and time.monotonic() - quiet_since < 5:
        await asyncio.sleep(0.1)
        total = sum(fleet.counts.values())
        if total != seen:
            quiet_since, seen = time.monotonic(), total
    delivered = sum(fleet.counts.values())
    lat = sorted(fleet.latencies)
    elapsed = max(fleet.last_arrival - started, seconds)
    return {
        "offered_per_s": deliveries,
        "posts": posts,
        "post_failures": failures,
        "expected": expected,
        "delivered": delivered,
        "complete": delivered == expected,
        "achieved_per_s": round(delivered / elapsed),
        "p50_ms": round(percentile(lat, 0.50) * 1000, 1),
        "p95_ms": round(percentile(lat, 0.95) * 1000, 1),
        "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "sockets_closed": fleet.closed - closed_before,
    }


async def run_kind(
    kind: str, port: int, project_id: int, token: str, n: int, rates, seconds, stalled=0
):
    import httpx
    import websockets

    fleet = Fleet()
    path = "/ws/bare/" if kind == "bare" else f"/ws/projects/{project_id}/"
    if stalled:
        await fleet.open_stalled(port, path, stalled)
    await fleet.open(port, path, n)
    await asyncio.sleep(1)  # let joins and presence settle
    results = []
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    ) as http:
        publisher = None
        if kind == "bare":
            publisher = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/bare-pub/",
                origin=f"http://127.0.0.1:{port}",
                compression=None,
                ping_interval=None,
            )
        # Baseline frames are as long as a comment.created event, so both move the same bytes.
        padding = "x" * 560

        async def post(post_id: int) -> bool:
            marker = f"bench:{post_id}:{time.time():.6f};"
            if publisher is not None:
                await publisher.send(marker + padding)
                return True
            response = await http.post(
                f"/api/projects/{project_id}/comments/", json={"body": marker}
            )
            return response.status_code == 201

        fleet.window = range(1, 6)
        for warm_up in fleet.window:  # first requests import and connect: not measured
            await post(warm_up)
        await asyncio.sleep(1)
        next_id = 100
        for deliveries in rates:
            result = await step(fleet, n, deliveries, seconds, post, next_id)
            next_id += result["posts"]
            results.append(result)
            print(f"  {kind:4} n={n:5} {json.dumps(result)}", flush=True)
            await asyncio.sleep(1)
            if not result["complete"] or result["p99_ms"] > GIVE_UP_P99_MS:
                break
        if publisher is not None:
            await publisher.close()
    await fleet.close()
    return results


def sustained(results) -> int:
    good = [r["achieved_per_s"] for r in results if r["complete"] and r["p99_ms"] <= P99_LIMIT_MS]
    return max(good, default=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", default="memory,redis")
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument(
        "--rates",
        default="2000,4000,8000,12000,16000,24000",
        help="offered deliveries per second, in steps",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each step")
    parser.add_argument("--kinds", default="app,bare")
    parser.add_argument("--stalled", type=int, default=0, help="extra sockets that never read")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", help="write every step's figures to this file")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    report = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as data_dir:
        project_id, token = setup_database(data_dir)
        for layer in args.layers.split(","):
            for kind in args.kinds.split(","):
                for n in (int(c) for c in args.clients.split(",")):
                    port = free_port()
                    server = start_server(
                        port,
                        data_dir,
                        app="bench.asgi:application",
                        redis_url=args.redis_url if layer == "redis" else "",
                        log_name=f"daphne-{layer}.log",
                    )
                    print(f"{layer} {kind} n={n}", flush=True)
                    try:
                        results = asyncio.run(
                            run_kind(
                                kind, port, project_id, token, n, rates, args.seconds, args.stalled
                            )
                        )
                    finally:
                        server.terminate()
                        server.wait(timeout=30)
                    report.append(
                        {
                            "layer": layer,
                            "kind": kind,
                            "clients": n,
                            "stalled": args.stalled,
                            "steps": results,
                            "sustained_per_s": sustained(results),
                        }
                    )
    print(
        "\n| layer | consumer | clients | sustained/s (all delivered, p99 <= 300 ms) | "
        "peak/s (all delivered) | p50 / p95 / p99 / max at peak (ms) | all delivered |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    for row in report:
        complete = [s for s in row["steps"] if s["complete"]]
        peak = max(complete, key=lambda s: s["achieved_per_s"], default=None)
        figures = (
            f"{peak['p50_ms']} / {peak['p95_ms']} / {peak['p99_ms']} / {peak['max_ms']}"
            if peak
            else "-"
        )
        every = "yes" if len(complete) == len(row["steps"]) else "no (last step)"
        print(
            f"| {row['layer']} | {row['kind']} | {row['clients']} | {row['sustained_per_s']} | "
            f"{peak['achieved_per_s'] if peak else 0} | {figures} | {every} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
