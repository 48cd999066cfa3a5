"""The client's retries against a real registry: a 503 while the database is down, and an answer
lost on the wire after the write committed. Each retry of a write sends the call's one
idempotency key, and the registry holds the write once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from model_registry_client import DatasetInput, Registry, RegistryError
from model_registry_client.results import Dataset, DatasetPage

from app.service import tokens
from tests.client_server import Served, serving
from tests.factories import make_token
from tests.processes import free_port
from tests.restartable_postgres import RestartablePostgres, restartable_postgres

pytestmark = pytest.mark.process

HARD_LIMIT_S = 30.0  # no wait runs longer (a guard, not a measurement)


class Recorder:
    """The idempotency key of every request a client sends, and the status of every answer."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.statuses: list[int] = []

    def hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        return {
            "request": [lambda r: self.keys.append(r.headers.get("idempotency-key"))],
            "response": [lambda r: self.statuses.append(r.status_code)],
        }


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres("client_retry_test") as pg:
        yield pg


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(pg_dsn, tmp_path_factory.mktemp("retries") / "app.log") as served:
        yield served


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HARD_LIMIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)


async def during_outage(
    postgres: RestartablePostgres,
    writer: Registry,
    reader: Registry,
    impatient: Registry,
    recorders: tuple[Recorder, Recorder],
) -> tuple[Dataset, DatasetPage, RegistryError]:
    """With the database stopped: a write and a read that outlast it, and a write that gives up."""
    await asyncio.to_thread(postgres.stop)
    try:
        write = asyncio.create_task(
            asyncio.to_thread(writer.register_dataset, DatasetInput("dataset-retried", "R"))
        )
        read = asyncio.create_task(asyncio.to_thread(reader.list_datasets))
        with pytest.raises(RegistryError) as gave_up:
            await asyncio.to_thread(impatient.register_dataset, DatasetInput("dataset-no", "N"))
        await until(lambda: all(503 in r.statuses for r in recorders), "503s for both")
    finally:
        await asyncio.to_thread(postgres.start)
    return await write, await read, gave_up.value


async def test_calls_retried_past_a_503_send_one_key_and_write_once(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    # The server retries inside a request for only 0.2 s, so the outage reaches the client.
    with serving(postgres.dsn, tmp_path / "app.log", DB_RETRY_WINDOW_S="0.2") as served:
        conn = await asyncpg.connect(postgres.dsn)
        try:
            token = (await tokens.create(conn, "pipeline", ["write"])).token
        finally:
            await conn.close()
        writes, reads, short = Recorder(), Recorder(), Recorder()
        with contextlib.ExitStack() as closing:
            writer = closing.enter_context(
                Registry(
                    served.url, token, max_attempts=10, max_delay=2, event_hooks=writes.hooks()
                )
            )
            reader = closing.enter_context(
                Registry(served.url, max_attempts=10, max_delay=2, event_hooks=reads.hooks())
            )
            impatient = closing.enter_context(
                Registry(served.url, token, max_attempts=2, event_hooks=short.hooks())
            )
            dataset, page, gave_up = await during_outage(
                postgres, writer, reader, impatient, (writes, reads)
            )
        log = served.log_tail()

    # Bounded: two attempts, then the registry's own code.
    assert (gave_up.code, gave_up.status) == ("SERVICE_UNAVAILABLE", 503)
    assert short.statuses == [503, 503] and len(set(short.keys)) == 1
    # The write: several attempts, all with the one key made for the call.
    assert writes.statuses[0] == 503 and writes.statuses[-1] == 200, (writes.statuses, log)
    assert len(writes.keys) == len(writes.statuses) >= 2
    assert len(set(writes.keys)) == 1 and writes.keys[0] is not None
    assert reads.statuses[0] == 503 and reads.statuses[-1] == 200 and set(reads.keys) == {None}
    assert dataset["id"] == "dataset-retried-v1"
    assert [d["id"] for d in page["items"]] in ([], ["dataset-retried-v1"])
    conn = await asyncpg.connect(postgres.dsn)
    try:
        stored = await conn.fetch("select id from artifacts where lineage_id like 'dataset-%'")
        keyed = await conn.fetchval(
            "select artifact_id from idempotency_keys where key = $1", writes.keys[0]
        )
    finally:
        await conn.close()
    assert [r["id"] for r in stored] == ["dataset-retried-v1"]
    assert keyed == "dataset-retried-v1"


class CuttingProxy:
    """TCP to the registry that cuts the first connection as its answer starts to come back.

    The registry has committed the write by then (it answers after the transaction), and the
    client never reads a byte of that answer: the lost-response case idempotency keys exist for.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut: list[bytes] = []  # the first bytes of each answer the client never got
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                self.connections += 1
                cut = self.connections == 1
                threading.Thread(target=self._serve, args=(client, cut), daemon=True).start()

    def _serve(self, client: socket.socket, cut: bool) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
        with contextlib.suppress(OSError):
            while chunk := upstream.recv(65536):
                if cut:
                    self.cut.append(chunk[:12])
                    # Close with a reset, so not even the status line reaches the client.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                client.sendall(chunk)
        # shutdown first: close alone leaves the pipe thread's recv (and the socket) alive.
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


async def test_a_write_whose_answer_was_lost_is_retried_with_its_key_and_written_once(
    server: Served, conn: asyncpg.Connection
) -> None:
    token = await make_token(conn, "write")
    proxy = CuttingProxy(server.port)
    sent = Recorder()
    try:
        with Registry(f"http://127.0.0.1:{proxy.port}", token, event_hooks=sent.hooks()) as r:
            dataset = await asyncio.to_thread(r.register_dataset, DatasetInput("dataset-lost", "L"))
    finally:
        proxy.close()
    assert proxy.cut == [b"HTTP/1.1 200"], "the first answer was not cut after the write"
    assert len(sent.keys) == 2 and sent.keys[0] == sent.keys[1] is not None
    assert sent.statuses == [200]  # the client heard only the retry's answer
    assert dataset["id"] == "dataset-lost-v1" and dataset["versionNumber"] == 1
    stored = await conn.fetch("select id from artifacts where lineage_id = 'dataset-lost'")
    assert [r["id"] for r in stored] == ["dataset-lost-v1"]


async def test_a_refusal_is_not_retried(server: Served, conn: asyncpg.Connection) -> None:
    sent = Recorder()
    r = Registry(server.url, await make_token(conn, "write"), event_hooks=sent.hooks())
    with r, pytest.raises(RegistryError) as refused:
        await asyncio.to_thread(r.register_dataset, DatasetInput("dataset-x", "X", uri="ftp://x"))
    assert refused.value.code == "BAD_USER_INPUT" and sent.statuses == [200]


def test_connection_failures_are_retried_a_bounded_number_of_times() -> None:
    sent = Recorder()
    nobody = f"http://127.0.0.1:{free_port()}"
    with Registry(nobody, max_attempts=3, backoff=0.01, event_hooks=sent.hooks()) as r:
        started = time.monotonic()
        with pytest.raises(RegistryError) as failed:
            r.model("model-x")
    assert failed.value.code == "CONNECTION_FAILED" and failed.value.details["attempts"] == 3
    assert len(sent.keys) == 3 and time.monotonic() - started < 5
    assert isinstance(failed.value.__cause__, httpx.ConnectError)
