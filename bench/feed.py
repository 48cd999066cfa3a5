"""`python -m bench.feed`: the change feed under load, on one server process.

Registrations (``registerDataset`` over HTTP) arrive at a fixed rate, first with no
subscriber, then with BENCH_FEED_SUBSCRIBERS WebSocket subscribers (graphql-transport-ws,
one ``versionRegistered`` subscription each, all asking the same selection). Reported: the
latency from sending a registration to each subscriber receiving its event (p50, p99: an
upper bound on commit-to-delivery, since the commit happens inside the request), the
server's RSS, and its CPU time per registration in both phases, side by side.

Settings: BENCH_FEED_SUBSCRIBERS (200), BENCH_FEED_RATE (registrations per second, 20),
BENCH_FEED_SECONDS (per phase, 6), BENCH_FEED_ROUNDS (6), BENCH_FEED_INTERVAL_MS (the servers'
REGISTRY_FEED_INTERVAL_MS; unset, the default); DATABASE_URL to use a running PostgreSQL
instead of an embedded one in a temporary folder; BENCH_FEED_PROFILE=FILE to profile the
server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import psutil
import websockets

from app.db.embedded import EmbeddedPostgres
from app.service import tokens
from app.settings import PROJECT_ROOT

SUBSCRIBERS = int(os.environ.get("BENCH_FEED_SUBSCRIBERS", "200"))
RATE = float(os.environ.get("BENCH_FEED_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_FEED_SECONDS", "6"))
# Phases compared on one server take turns this many times (medians are reported).
ROUNDS = int(os.environ.get("BENCH_FEED_ROUNDS", "6"))
# After the last registration of a phase, time for its deliveries (inside the CPU window).
TAIL_S = 1.5
# A file to write the server's cProfile statistics to (they slow it down: not for numbers).
PROFILE = os.environ.get("BENCH_FEED_PROFILE", "")
# The servers' REGISTRY_FEED_INTERVAL_MS (unset: the default); a second one sends every
# commit at once, for comparison.
INTERVAL_MS = os.environ.get("BENCH_FEED_INTERVAL_MS", "")
REGISTER = "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { id } }"
SUBSCRIPTION = """subscription { versionRegistered {
  id name payload version { id lineageId versionNumber title createdAt } } }"""


@contextlib.contextmanager
def database() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    server = EmbeddedPostgres(root / "pg")
    try:
        yield server.start("feed_bench")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def registry(
    dsn: str, log: Path, interval_ms: str = INTERVAL_MS
) -> Iterator[tuple[str, psutil.Process]]:
    with socket_port() as port:
        interval = {"REGISTRY_FEED_INTERVAL_MS": interval_ms} if interval_ms else {}
        env = dict(os.environ, DATABASE_URL=dsn, PORT=str(port), HOST="127.0.0.1",
                   REGISTRY_DEMO_DATA="0", ACCESS_LOG="0", **interval,
                   # The machine may be shared: a slow moment must not fail a registration.
                   POOL_ACQUIRE_TIMEOUT_S="10",
                   # Every subscriber connects from this one address, at once.
                   REGISTRY_MAX_CONNECTIONS_PER_CLIENT="1000")  # fmt: skip
    with log.open("wb") as out:
        profile = ["-m", "cProfile", "-o", PROFILE] if PROFILE else []
        proc = subprocess.Popen([sys.executable, *profile, "-m", "app", "serve"], cwd=PROJECT_ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/readyz", timeout=2, trust_env=False).is_success:
                    break
            time.sleep(0.1)
        yield url, psutil.Process(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    yield port


class Subscriber:
    """One WebSocket connection with one subscription; notes when each version arrives."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.arrived: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self, url: str) -> None:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"],
                                      proxy=None, max_queue=None) as ws:  # type: ignore[arg-type]  # fmt: skip
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            ack = json.loads(await ws.recv())
            assert ack["type"] == "connection_ack", ack
            payload = {"query": self.query}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            self.ready.set()
            async for raw in ws:
                now = time.perf_counter()
                message = orjson.loads(raw)
                if message["type"] == "next":
                    (event,) = message["payload"]["data"].values()
                    self.arrived[event["payload"]["id"]] = now
                elif message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))


async def gauge(client: httpx.AsyncClient, url: str, name: str) -> float:
    for line in (await client.get(url + "/metrics")).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def phase(url: str, token: str, server: psutil.Process, label: str) -> dict[str, Any]:
    """Registrations at RATE for SECONDS; the send time of each, and the server's CPU."""
    sent: dict[str, float] = {}
    refused: list[Any] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, trust_env=False,
                                 timeout=30) as client:  # fmt: skip

        async def one(i: int) -> None:
            variables = {"input": {"lineageId": f"dataset-{label}-{i}", "title": f"{label} {i}"}}
            start = time.perf_counter()
            r = await client.post("/graphql", json={"query": REGISTER, "variables": variables})
            body = r.json()
            if body.get("data"):
                sent[body["data"]["registerDataset"]["id"]] = start
            else:  # an overloaded server refuses (the run reports how many)
                refused.append(body)

        count = int(RATE * SECONDS)
        cpu, ns = server.cpu_times(), cpu_ns(server)
        began = time.perf_counter()
        tasks = []
        for i in range(count):
            await asyncio.sleep(max(0.0, began + i / RATE - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        await asyncio.sleep(TAIL_S)  # the last deliveries
        after, ns_after = server.cpu_times(), cpu_ns(server)
    per = 1000 / max(1, len(sent))
    return {"sent": sent, "cpu_ms_per_registration": per * (ns_after - ns) / 1e9,
            "system_ms_per_registration": per * (after.system - cpu.system),
            "count": count, "refused": len(refused),
            "rss_mb": server.memory_info().rss / 2**20}  # fmt: skip


def cpu_ns(server: psutil.Process) -> int:
    """The CPU time the server's threads have run, in nanoseconds (schedstat: not rounded to
    clock ticks, as utime and stime are)."""
    total = 0
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        with contextlib.suppress(OSError):
            total += int((task / "schedstat").read_text().split()[0])
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def subscribed(
    url: str, token: str, server: psutil.Process, label: str, queries: list[str]
) -> dict[str, Any]:
    """A phase with one subscriber per query, connected before it starts."""
    subscribers = [Subscriber(q) for q in queries]
    running = [asyncio.create_task(s.run(url)) for s in subscribers]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subscribers)), 60)
    await settled(url, lambda n: n >= len(queries))
    result = await phase(url, token, server, label)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    # The next phase starts once these have left the server.
    await settled(url, lambda n: n == 0)
    result["latencies"] = [
        1000 * (s.arrived[vid] - start)
        for vid, start in result["sent"].items()
        for s in subscribers
        if vid in s.arrived
    ]
    result["expected"] = len(result["sent"]) * len(subscribers)
    return result


async def settled(url: str, done: Callable[[float], bool]) -> None:
    """Wait (a minute at most) until the server's count of subscriptions is ``done``."""
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(600):
            if done(await gauge(client, url, "feed_subscriptions")):
                return
            await asyncio.sleep(0.1)


def row(name: str, values: list[str]) -> str:
    return f"| {name} | " + " | ".join(values) + " |"


Phase = Callable[[str], Awaitable[dict[str, Any]]]


async def rounds(phases: dict[str, Phase]) -> dict[str, dict[str, Any]]:
    """Each phase ROUNDS times, taking turns, so that a slow minute of a shared machine
    weighs on all of them alike; the median of each one's CPU, its worst RSS, its deliveries
    summed."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in phases}
    for turn in range(ROUNDS):
        for name, run in phases.items():
            runs[name].append(await run(f"{name}-{turn}"))
    merged: dict[str, dict[str, Any]] = {}
    for name, done in runs.items():
        m: dict[str, Any] = {
            key: statistics.median(r[key] for r in done)
            for key in ("cpu_ms_per_registration", "system_ms_per_registration")
        }
        m["turns"] = [r["cpu_ms_per_registration"] for r in done]
        m["rss_mb"] = max(r["rss_mb"] for r in done)
        m["refused"] = sum(r["refused"] for r in done)
        if "latencies" in done[0]:
            m["latencies"] = [x for r in done for x in r["latencies"]]
            m["expected"] = sum(r["expected"] for r in done)
        merged[name] = m
    return merged


async def warm(url: str, token: str, server: psutil.Process, label: str) -> None:
    """Registrations with subscribers and without, not measured: the pool opens the
    connections the feed's reads need beside the writes' (and prepares their statements)
    before any phase is."""
    await subscribed(url, token, server, label, [SUBSCRIPTION] * SUBSCRIBERS)
    await phase(url, token, server, label + "-alone")


async def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-feed-logs-"))
    load_before = os.getloadavg()[0]
    shared = [SUBSCRIPTION] * SUBSCRIBERS
    with database() as dsn:
        with registry(dsn, work / "server.log") as (url, server):
            # The server has migrated the database: the token goes in now, for every server.
            conn = await asyncpg.connect(dsn)
            token = (await tokens.create(conn, f"bench-{int(time.time())}", ["write"])).token
            await conn.close()
            await warm(url, token, server, "warmup")
            first = await rounds({
                "without": lambda label: phase(url, token, server, label),
                # One subscriber: what executing the events costs, before any fan-out.
                "one": lambda label: subscribed(url, token, server, label, [SUBSCRIPTION]),
                "shared": lambda label: subscribed(url, token, server, label, shared),
            })  # fmt: skip
        with registry(dsn, work / "at-once.log", "0") as (url, server):
            await warm(url, token, server, "rewarm")
            second = await rounds({
                "alone": lambda label: phase(url, token, server, label),
                "at-once": lambda label: subscribed(url, token, server, label, shared),
            })  # fmt: skip
        # Last, on a server of its own: it falls behind, and what it leaves (a backlog in the
        # subscribers' sockets, a busy database) must not weigh on another phase.
        with registry(dsn, work / "distinct.log") as (url, server):
            await phase(url, token, server, "again")
            # An alias of its own makes each document, and so each selection, distinct.
            own = [SUBSCRIPTION.replace("versionRegistered", f"s{i}: versionRegistered")
                   for i in range(SUBSCRIBERS)]  # fmt: skip
            without = await phase(url, token, server, "own-without")
            distinct = await subscribed(url, token, server, "distinct", own)
    phases = [first["without"], first["one"], first["shared"], distinct, second["alone"],
              second["at-once"]]  # fmt: skip
    # Each against the phase without subscribers of its own server.
    bases = [first["without"]] * 3 + [without] + [second["alone"]] * 2

    def cpu(p: dict[str, Any], base: dict[str, Any]) -> str:
        value, was = p["cpu_ms_per_registration"], base["cpu_ms_per_registration"]
        return f"{value:.2f}" + ("" if p is base else f" ({100 * (value - was) / was:+.0f}%)")

    def added(p: dict[str, Any], base: dict[str, Any]) -> str:
        """What the phase adds to its base turn by turn (each against the base phase of the
        same turn, minutes apart at most): the median, lowest and highest."""
        if p is base:
            return "-"
        pairs = zip(p.get("turns", [p["cpu_ms_per_registration"]]),
                    base.get("turns", [base["cpu_ms_per_registration"]]))  # fmt: skip
        added = sorted(100 * (value - was) / was for value, was in pairs)
        return f"{statistics.median(added):+.0f}% ({added[0]:+.0f}% to {added[-1]:+.0f}%)"

    def latency(p: dict[str, Any], q: float) -> str:
        return f"{percentile(p['latencies'], q):.1f}" if "latencies" in p else "-"

    def delivered(p: dict[str, Any]) -> str:
        return f"{len(p['latencies'])} of {p['expected']}" if "latencies" in p else "-"

    lines = [
        f"# Change feed: {SUBSCRIBERS} subscribers, {RATE:g} registrations/s for {SECONDS:g} s",
        "",
        f"Phases on one server took {ROUNDS} turns each; CPU is their median, and what a "
        "phase adds is also given turn by turn.",
        "",
        f"Load average before the run: {load_before:.1f} on {os.cpu_count()} cores.",
        "",
        f"REGISTRY_FEED_INTERVAL_MS: {INTERVAL_MS or 'the default'}; the last two columns are "
        "a second server with 0 (every commit sent at once).",
        "",
        f"| | no subscribers | one subscriber | {SUBSCRIBERS}, one selection, shared "
        f"| {SUBSCRIBERS}, each its own selection | at once: no subscribers "
        f"| at once: {SUBSCRIBERS}, shared |",
        "|---|---|---|---|---|---|---|",
        row("server CPU ms per registration", list(map(cpu, phases, bases))),
        row("added, turn by turn (median, lowest to highest)", list(map(added, phases, bases))),
        row("of which in the kernel", [f"{p['system_ms_per_registration']:.2f}" for p in phases]),
        row("server RSS (MB)", [f"{p['rss_mb']:.0f}" for p in phases]),
        row("registrations refused", [str(p["refused"]) for p in phases]),
        row("deliveries", [delivered(p) for p in phases]),
        row("send-to-delivery p50 (ms)", [latency(p, 50) for p in phases]),
        row("send-to-delivery p99 (ms)", [latency(p, 99) for p in phases]),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
