"""REGISTRY_WORKERS=2: two processes serve one port, metrics add up across them, a dead worker
is replaced, SIGTERM stops them all and then the embedded database, a killed supervisor takes
its workers with it, and subscriptions get the WebSocket protocol one process has.

Which worker accepts a connection is the kernel's choice; to make one worker answer, the test
pauses the other (SIGSTOP) for a moment, so what is asserted never depends on that choice.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from websockets.sync.client import connect

from tests.processes import data_folder
from tests.test_graceful_shutdown import assert_database_closed_cleanly
from tests.test_server_process import Server

pytestmark = pytest.mark.process

QUERY = {"query": "{ models(limit: 2) { total } }"}


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with data_folder("registry-workers-") as d:
        yield d


@pytest.fixture
def server(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("REGISTRY_WORKERS", "2")
    monkeypatch.setenv("REGISTRY_DEMO_DATA", "1")
    s = Server(data_dir)
    s.wait_ready()
    yield s
    if s.proc.poll() is None:
        # SIGTERM stops the workers with the supervisor; SIGKILL would leave them running.
        tree = [*workers(s), psutil.Process(s.proc.pid)]
        s.proc.send_signal(signal.SIGTERM)
        try:
            s.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            s.proc.wait(timeout=10)


def workers(server: Server) -> list[psutil.Process]:
    """The live worker processes (not the supervisor's resource tracker, nor a dead one)."""
    found = []
    for p in psutil.Process(server.proc.pid).children():
        try:
            if "spawn_main" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:
            continue
    return found


def graphql_requests_counted(metrics: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("http_requests_total{") and 'route="/graphql"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def ask(server: Server, n: int) -> None:
    # A fresh connection each time: the paused worker cannot be holding a kept-alive one.
    for _ in range(n):
        with httpx.Client(trust_env=False) as c:
            r = c.post(server.url + "/graphql", json=QUERY, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["data"]["models"]["total"] > 0


def scrape(server: Server) -> str:
    with httpx.Client(trust_env=False) as c:
        return c.get(server.url + "/metrics", timeout=10).text


def wait_for_workers(server: Server, n: int) -> list[psutil.Process]:
    for _ in range(300):
        found = workers(server)
        if len(found) == n:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {n} workers, found {workers(server)}")


def test_two_workers_share_the_port_and_their_metrics(server: Server) -> None:
    first, second = wait_for_workers(server, 2)
    first.suspend()
    try:
        ask(server, 5)  # all answered by the second worker
    finally:
        first.resume()
    second.suspend()
    try:
        ask(server, 3)  # all answered by the first
        # The first worker answers the scrape, and counts the second's requests too.
        counted = graphql_requests_counted(scrape(server))
    finally:
        second.resume()
    assert counted == 8
    # The pool gauges are summed over live workers: both hold connections.
    pools = re.search(r"^db_pool_connections (\S+)$", scrape(server), re.M)
    assert pools is not None and float(pools.group(1)) >= 2


def gone(p: psutil.Process) -> bool:
    # Reparented to a PID 1 that may never reap them, exited workers can stay zombies.
    try:
        return not p.is_running() or p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_stop_when_their_supervisor_is_killed(server: Server) -> None:
    found = wait_for_workers(server, 2)
    server.proc.kill()  # nothing of the supervisor runs: no signal handler, no cleanup
    server.proc.wait(timeout=10)
    try:
        deadline = time.monotonic() + 30
        while not all(gone(p) for p in found) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(gone(p) for p in found), "workers outlived their supervisor"
    finally:
        for p in found:
            with contextlib.suppress(psutil.Error):
                p.kill()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/healthz", timeout=2, trust_env=False)


def test_workers_serve_subscriptions_without_compression_as_one_process_does(
    server: Server,
) -> None:
    # The client offers per-message compression; the registry turns it down everywhere
    # (its zlib state costs memory per connection, and CPU per event and subscriber).
    for _ in range(4):  # a fresh connection each time, to whichever worker the kernel picks
        url = server.url.replace("http://", "ws://") + "/graphql"
        with connect(url, subprotocols=["graphql-transport-ws"], proxy=None) as ws:
            assert ws.response is not None
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            ws.send('{"type": "connection_init", "payload": {}}')
            assert '"connection_ack"' in str(ws.recv(timeout=10))


def test_a_killed_worker_is_replaced_and_sigterm_stops_everything(
    server: Server, data_dir: Path
) -> None:
    first, _ = wait_for_workers(server, 2)
    first.kill()
    for _ in range(300):
        now = workers(server)
        if len(now) == 2 and first.pid not in {p.pid for p in now}:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the killed worker was not replaced")
    ask(server, 4)
    survivors = workers(server)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=60) == 0
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in survivors)
    assert_database_closed_cleanly(data_dir)
