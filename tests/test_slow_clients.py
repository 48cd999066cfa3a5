"""Slow and greedy clients against the real server process, over raw sockets.

A body must arrive whole within REGISTRY_BODY_TIMEOUT_S (408 REQUEST_TIMEOUT otherwise), a
request head within REGISTRY_HEADER_TIMEOUT_S (the connection is closed otherwise), an idle
keep-alive connection closes after REGISTRY_KEEPALIVE_TIMEOUT_S, and connections over
REGISTRY_MAX_CONNECTIONS or REGISTRY_MAX_CONNECTIONS_PER_CLIENT get 503 TOO_MANY_CONNECTIONS.
The server runs with small values of these, so each test waits a few seconds at most; every wait
has a generous upper bound, and no test asserts how fast anything happened.

A test ends its connections with `hang_up`, which waits for the server's end of the close: by
then the server has uncounted the connection, so the next test starts from zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h11
import httpx
import pytest

from app.http.connections import ConnectionCounts
from app.settings import PROJECT_ROOT
from tests.processes import free_port

pytestmark = pytest.mark.process

BODY_TIMEOUT_S = 1
HEADER_TIMEOUT_S = 2.5
KEEPALIVE_S = 1
MAX_CONNECTIONS = 4
PER_CLIENT = 2
WAIT_S = 15  # the longest any test waits for the server to act
TRICKLE_S = 0.25  # one byte this often
QUERY = json.dumps({"query": "{ models { total } }"}).encode()


@dataclass
class Served:
    port: int
    log: Path


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=pg_dsn,
        PORT=str(port),
        HOST="127.0.0.1",
        REGISTRY_DEMO_DATA="0",
        REGISTRY_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S),
        REGISTRY_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
        REGISTRY_KEEPALIVE_TIMEOUT_S=str(KEEPALIVE_S),
        REGISTRY_MAX_CONNECTIONS=str(MAX_CONNECTIONS),
        REGISTRY_MAX_CONNECTIONS_PER_CLIENT=str(PER_CLIENT),
    )
    for name in ("REGISTRY_REQUIRE_READ_AUTH", "CORS_ALLOW_ORIGINS", "REGISTRY_FAST_PATH"):
        env.pop(name, None)
    log = tmp_path_factory.mktemp("slow-clients") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "not ready:\n" + log.read_text(errors="replace")
            with contextlib.suppress(httpx.TransportError):
                url = f"http://127.0.0.1:{port}/readyz"
                if httpx.get(url, timeout=2, trust_env=False).is_success:
                    break
            time.sleep(0.1)
        yield Served(port, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """One TCP connection from ``source``; requests and responses go through h11."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port = port
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=WAIT_S, source_address=(source, 0)
        )
        self.http = h11.Connection(h11.CLIENT)

    def start(self, method: str, target: str, *headers: tuple[str, str]) -> None:
        """Send a request head."""
        request = h11.Request(
            method=method, target=target, headers=[("host", f"127.0.0.1:{self.port}"), *headers]
        )
        self.sock.sendall(self.http.send(request))

    def get(self, target: str) -> Response:
        """A whole GET on this connection, and its response."""
        self.start("GET", target)
        self.sock.sendall(self.http.send(h11.EndOfMessage()))
        response = self.response()
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()
        return response

    def trickle(self) -> None:
        """Send the body a byte every TRICKLE_S until the server answers or closes."""
        deadline = time.monotonic() + WAIT_S
        self.sock.settimeout(TRICKLE_S)
        try:
            while time.monotonic() < deadline:
                self.sock.sendall(self.http.send(h11.Data(data=b" ")))
                with contextlib.suppress(TimeoutError):
                    self.http.receive_data(self.sock.recv(65536))
                    return
        finally:
            self.sock.settimeout(WAIT_S)
        raise AssertionError(f"the server neither answered nor closed within {WAIT_S} s")

    def response(self) -> Response:
        status, headers, body = 0, {}, b""
        while True:
            event = self.http.next_event()
            if event is h11.NEED_DATA:
                self.http.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                headers = {k.decode(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return Response(status, headers, body)
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("closed before a whole response")

    def hang_up(self) -> None:
        """Close our side, then wait for the server to close its side too."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)
            while self.sock.recv(65536):
                pass
        self.sock.close()


def closed_by_server(sock: socket.socket, within: float) -> bytes:
    """Wait up to ``within`` s for the server to close; what it sent before (EOF or reset)."""
    sock.settimeout(within)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"still open after {within} s; received {received!r}") from None
    return received


def error_code(response: Response) -> str:
    """The code of an error body, GraphQL-shaped (/graphql) or REST-shaped (the rest)."""
    body = json.loads(response.body)
    code: str = (
        body["error"]["code"] if "error" in body else body["errors"][0]["extensions"]["code"]
    )
    return code


def error_message(response: Response) -> str:
    body = json.loads(response.body)
    message: str = body["error"]["message"] if "error" in body else body["errors"][0]["message"]
    return message


def assert_served(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status, response.body) == (200, b'{"status":"ok"}')


# --------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        pytest.param("/graphql", [("authorization", "Bearer mreg_x")], id="graphql-with-token"),
        pytest.param("/graphql", [], id="graphql-anonymous-fast-lane"),
        pytest.param("/api/models", [], id="rest"),
    ],
)
def test_a_trickled_body_is_answered_408_and_the_connection_closed(server, target, headers):
    client = Client(server.port)
    client.start(
        "POST",
        target,
        ("content-type", "application/json"),
        ("content-length", "200"),
        *headers,
    )
    client.trickle()
    response = client.response()
    rest = closed_by_server(client.sock, WAIT_S)
    client.sock.close()
    assert response.status == 408, response
    assert error_code(response) == "REQUEST_TIMEOUT"
    assert f"{BODY_TIMEOUT_S} s" in error_message(response)
    assert response.headers["connection"] == "close"
    assert response.headers["content-type"] == "application/json"
    assert "x-request-id" in response.headers
    assert rest == b""


def test_a_body_sent_in_parts_within_the_timeout_is_served(server):
    client = Client(server.port)
    client.start(
        "POST",
        "/graphql",
        ("content-type", "application/json"),
        ("content-length", str(len(QUERY))),
        ("authorization", "Bearer mreg_not_a_token"),
    )
    for part in (QUERY[:5], QUERY[5:]):
        client.sock.sendall(client.http.send(h11.Data(data=part)))
    client.sock.sendall(client.http.send(h11.EndOfMessage()))
    response = client.response()
    client.hang_up()
    # Read whole, so it reached the token check.
    assert (response.status, error_code(response)) == (401, "UNAUTHENTICATED")


# --------------------------------------------------------------------------- heads and idling


def test_a_socket_that_sends_nothing_is_closed(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
    assert closed_by_server(sock, WAIT_S) == b""
    sock.close()


def test_a_trickled_request_head_is_closed_without_an_answer(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
    head = b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: " + b"a" * 400
    sock.settimeout(TRICKLE_S)
    received, closed = b"", False
    deadline = time.monotonic() + WAIT_S
    try:
        for i in range(len(head)):
            assert time.monotonic() < deadline, f"a trickled head was held {WAIT_S} s"
            sock.sendall(head[i : i + 1])
            with contextlib.suppress(TimeoutError):
                chunk = sock.recv(65536)
                received += chunk
                if not chunk:
                    closed = True
                    break
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    finally:
        sock.close()
    assert closed, "the whole head was sent; the test needs a longer one"
    assert received == b""


def test_an_idle_keep_alive_connection_is_closed(server):
    client = Client(server.port)
    response = client.get("/healthz")
    assert response.status == 200 and "connection" not in response.headers
    # uvicorn's own default is 5 s; this server was told 1 s.
    assert closed_by_server(client.sock, KEEPALIVE_S + 3) == b""
    client.sock.close()


def test_pipelined_requests_are_all_answered_in_order(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
    heads = [f"GET {path} HTTP/1.1\r\nhost: x\r\n\r\n".encode() for path in ("/healthz", "/nope")]
    sock.sendall(b"".join(heads) + b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    received = closed_by_server(sock, WAIT_S)
    sock.close()
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", received) == [b"200", b"404", b"200"]


def test_a_head_begun_while_idle_has_the_header_timeout_to_finish(server):
    client = Client(server.port)
    assert_served(client)
    head = b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
    client.sock.sendall(head[:10])
    # Past the keep-alive time, within the header timeout counted from the response.
    time.sleep(KEEPALIVE_S + 0.5)
    client.sock.sendall(head[10:])
    # The bytes went out by hand; h11 only needs to know a request was sent.
    client.http.send(h11.Request(method="GET", target="/healthz", headers=[("host", "x")]))
    client.http.send(h11.EndOfMessage())
    response = client.response()
    client.hang_up()
    assert response.status == 200


# --------------------------------------------------------------------------- connection caps


def assert_refused(client: Client) -> None:
    client.start("GET", "/healthz")
    client.sock.sendall(client.http.send(h11.EndOfMessage()))
    response = client.response()
    assert closed_by_server(client.sock, WAIT_S) == b""
    client.sock.close()
    assert response.status == 503, response
    assert error_code(response) == "TOO_MANY_CONNECTIONS"
    assert response.headers["retry-after"] == "1"
    assert response.headers["connection"] == "close"


def test_connections_over_the_per_client_cap_get_503_and_the_count_is_exact(server):
    first = [Client(server.port) for _ in range(PER_CLIENT)]
    for client in first:
        assert_served(client)
    assert_refused(Client(server.port))
    for client in first:  # the counted ones keep being served
        assert_served(client)
    other = Client(server.port, source="127.0.0.2")  # another address has its own count
    assert_served(other)
    other.hang_up()
    for client in first:
        client.hang_up()
    again = [Client(server.port) for _ in range(PER_CLIENT)]
    for client in again:
        assert_served(client)
    assert_refused(Client(server.port))
    for client in again:
        client.hang_up()


def test_connections_over_the_process_cap_get_503_and_closing_one_frees_a_slot(server):
    sources = [f"127.0.0.{2 + i // PER_CLIENT}" for i in range(MAX_CONNECTIONS)]
    held = [Client(server.port, source) for source in sources]
    for client in held:
        assert_served(client)
    newcomer = "127.0.0.9"
    assert_refused(Client(server.port, newcomer))
    held.pop().hang_up()
    client = Client(server.port, newcomer)
    assert_served(client)
    for c in [*held, client]:
        c.hang_up()


def test_connections_closed_by_the_server_are_uncounted_too(server):
    idle = [Client(server.port) for _ in range(PER_CLIENT)]
    for client in idle:
        assert_served(client)
    for client in idle:  # the keep-alive timeout closes them
        assert closed_by_server(client.sock, WAIT_S) == b""
        client.sock.close()
    fresh = [Client(server.port) for _ in range(PER_CLIENT)]
    for client in fresh:
        assert_served(client)
        client.hang_up()


@pytest.mark.parametrize(
    ("steps", "total", "per_client"),
    [
        # Against caps of 3 in all and 2 per client: "a" admits a connection from a, "a!"
        # expects it refused, "-a" releases one of a's.
        ("a a a!", 2, {"a": 2}),
        ("a b c", 3, {"a": 1, "b": 1, "c": 1}),
        ("a b b c!", 3, {"a": 1, "b": 2}),
        ("a b b c! -b c", 3, {"a": 1, "b": 1, "c": 1}),
        ("a a a! -a a", 2, {"a": 2}),
        ("a -a", 0, {}),
    ],
)
def test_connection_counts_admit_within_both_caps_and_release_exactly(steps, total, per_client):
    counts = ConnectionCounts(max_total=3, max_per_client=2)
    for step in steps.split():
        if step.startswith("-"):
            counts.release(step[1:])
        else:
            assert counts.admit(step.rstrip("!")) is not step.endswith("!"), step
    assert (counts.total, counts.per_client) == (total, per_client)
