"""SIGTERM: in-flight requests finish within the grace period, new connections are refused, and
the pool and the embedded database close cleanly.

A request is held in flight by sending its body slowly over a raw socket. It asks for
`100 Continue`, which uvicorn sends when the app first reads the body: from then on the request
has started (headers read, app running, waiting for the rest of the body) and counts as in
flight. The tests assert what happens and in which order (from the server's log), never how
long anything takes.

uvicorn's behaviour on SIGTERM, which these tests pin down: it closes its listening socket at
once (a new connection is refused, not answered 503), lets started requests finish for up to
`timeout_graceful_shutdown` (`SHUTDOWN_GRACE_S`), then cancels them and runs the lifespan
shutdown (the pool closes); `app.server` then stops the embedded PostgreSQL.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import h11
import httpx
import pytest

from tests.processes import data_folder, postgres_processes
from tests.test_server_process import Server

pytestmark = pytest.mark.process

QUERY = "{ models(limit: 3) { total items { id } } datasets(limit: 2) { total } }"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with data_folder("registry-shutdown-") as d:
        yield d


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
            ("expect", "100-continue"),
        ]
        self.sock.sendall(
            self.conn.send(h11.Request(method="POST", target="/graphql", headers=headers))
        )

    def _next_event(self) -> h11.Event:
        while (event := self.conn.next_event()) is h11.NEED_DATA:
            self.conn.receive_data(self.sock.recv(65536))
        return event

    def wait_until_the_app_reads_the_body(self) -> None:
        """Return once uvicorn answers ``100 Continue``: the app is running this request."""
        event = self._next_event()
        assert isinstance(event, h11.InformationalResponse), event
        assert event.status_code == 100

    def send_first_half(self) -> None:
        self.sock.sendall(self.conn.send(h11.Data(data=self.body[: len(self.body) // 2])))

    def send_rest(self) -> None:
        rest = self.conn.send(h11.Data(data=self.body[len(self.body) // 2 :]))
        self.sock.sendall(rest + self.conn.send(h11.EndOfMessage()))

    def response(self) -> tuple[int, dict[str, str], bytes, bool]:
        """Status, headers, body, and whether the server closed the connection after it."""
        status, headers, body, closed = 0, {}, b"", False
        while True:
            event = self._next_event()
            if isinstance(event, h11.Response):
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


def log_messages(server: Server) -> list[str]:
    """The messages of the server's JSON log lines, in order."""
    lines = server.log.read_text(errors="replace").splitlines()
    return [json.loads(line)["message"] for line in lines if line.startswith("{")]


def wait_for_log(server: Server, message: str) -> None:
    """Block until the server logs ``message`` (a condition to wait for, not a timing)."""
    for _ in range(600):
        if message in log_messages(server):
            return
        assert server.proc.poll() is None, server.log.read_text(errors="replace")
        time.sleep(0.05)  # a poll interval; nothing depends on how long this takes
    raise AssertionError(f"the server never logged {message!r}")


def in_order(messages: list[str], *expected: str) -> bool:
    """Whether ``expected`` appear in ``messages`` in this order (others in between)."""
    rest = iter(messages)
    return all(any(m == e for m in rest) for e in expected)


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


WAITING = "Waiting for connections to close. (CTRL+C to force quit)"


def test_sigterm_finishes_in_flight_request_refuses_new_ones_and_stops_cleanly(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A grace period no request of this test comes near: the outcome cannot depend on timing.
    server = start_server(data_dir, monkeypatch, grace_s=120)
    slow: SlowRequest | None = None
    try:
        expected = httpx.post(server.url + "/graphql", json={"query": QUERY}, trust_env=False)
        assert expected.status_code == 200 and expected.json()["data"]["models"]["total"] > 0

        slow = SlowRequest(server.port, QUERY)
        slow.wait_until_the_app_reads_the_body()
        slow.send_first_half()
        server.proc.send_signal(signal.SIGTERM)
        # uvicorn logs this once it has closed its listening socket and found our request.
        wait_for_log(server, WAITING)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
        with pytest.raises(httpx.ConnectError):
            httpx.post(server.url + "/graphql", json={"query": QUERY}, trust_env=False)
        assert server.proc.poll() is None, "the server exited with a request in flight"

        slow.send_rest()
        status, headers, body, closed = slow.response()
        code = server.proc.wait(timeout=60)
    finally:
        if slow is not None:
            slow.close()
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait(timeout=10)

    log = server.log.read_text(errors="replace")
    print(
        f"\n[shutdown] in-flight request answered {status} after SIGTERM"
        f" (connection closed after it: {closed}); exit code {code}"
    )
    assert status == 200, body
    assert json.loads(body) == expected.json()
    assert headers.get("content-type", "").startswith("application/json")
    assert closed
    assert code == 0, log
    messages = log_messages(server)
    # The held request is answered after shutdown began and before the pool closes.
    assert in_order(
        messages,
        "POST /graphql 200",  # the first, plain request
        "Shutting down",
        WAITING,
        "POST /graphql 200",  # the held one
        "Waiting for application shutdown.",
        "Application shutdown complete.",  # the lifespan ran: the pool is closed
        "stopping embedded PostgreSQL",
    ), messages
    assert not any("timeout graceful shutdown exceeded" in m for m in messages), messages
    assert "Traceback" not in log and '"level": "error"' not in log, log
    assert_database_closed_cleanly(data_dir)


def test_sigterm_cuts_a_request_that_outlasts_the_grace_period(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grace_s = 2
    server = start_server(data_dir, monkeypatch, grace_s)
    slow = SlowRequest(server.port, QUERY)
    try:
        slow.wait_until_the_app_reads_the_body()
        slow.send_first_half()  # and never the rest
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=60)
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
    )
    assert code == 0, log
    assert (status, closed) == (500, True)
    messages = log_messages(server)
    # The server did not wait for the request forever: the grace period ran out, the request
    # was cancelled, then the application shut down and the database stopped.
    assert in_order(
        messages,
        "Shutting down",
        WAITING,
        "Cancel 1 running task(s), timeout graceful shutdown exceeded",
        "Waiting for application shutdown.",
        "Application shutdown complete.",
        "stopping embedded PostgreSQL",
    ), messages
    assert not any(m.startswith("POST /graphql 200") for m in messages), messages
    assert_database_closed_cleanly(data_dir)
