"""PostgreSQL restarts under a write load through HTTP: nothing acknowledged is lost or doubled.

The app runs as a real process (`python -m app serve`) against a PostgreSQL of its own that
the test stops and starts again mid-load. Writers register datasets with an idempotency key per
logical write and retry the same write with the same key after a 5xx or a transport error
(a 4xx is final, as for any client); readers query totals. The outage is longer than the app's
retry window, so both paths are taken: the server's own retries across the restart, and a 503
that the client retries. One more writer arrives while the database is down, so its token
lookup is what fails. Afterwards the database itself is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from app.settings import PROJECT_ROOT
from tests.client_server import Served, serving
from tests.restartable_postgres import RestartablePostgres, restartable_postgres

pytestmark = pytest.mark.process

WRITERS = 6
LATE_WRITER = WRITERS  # the index of one more writer, which starts once the database is down
READERS = 2
# DB_RETRY_WINDOW_S of the app: how long it retries inside a request. The database stays down
# until requests have been answered 503 (clients retry them with the same key); requests in
# flight when it comes back are carried over the restart by the server's own retries.
RETRY_WINDOW_S = 2
WARMUP_ACKS = WRITERS * 3  # acknowledged writes before the database goes down
AFTER_BACK_ACKS = 3  # per writer, acknowledged after the database is back
MAX_ATTEMPTS = 60  # per logical write
MAX_WRITES_PER_CLIENT = 2000
HARD_LIMIT_S = 45.0  # no loop or wait runs longer than this (a guard, not a measurement)

REGISTER = """
mutation($input: RegisterDatasetInput!, $key: String) {
  registerDataset(input: $input, idempotencyKey: $key) { id versionNumber }
}
"""
READ = "{ models { total } datasets(limit: 5) { total } }"


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres("restart_test") as pg:
        yield pg


def listening_pid(port: int) -> int | None:
    for c in psutil.net_connections(kind="tcp"):
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port:
            return c.pid
    return None


@pytest.fixture
def app(postgres: RestartablePostgres, tmp_path: Path) -> Iterator[Served]:
    env = {"DB_RETRY_WINDOW_S": str(RETRY_WINDOW_S), "ACCESS_LOG": "1"}
    with serving(postgres.dsn, tmp_path / "app.log", **env) as served:
        yield served


def create_write_token(dsn: str) -> str:
    env = dict(os.environ, DATABASE_URL=dsn)
    out = subprocess.run(
        [sys.executable, "-m", "app", "tokens", "create", "--scope", "write", "--name", "load"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return out.stdout.strip().splitlines()[0]


@dataclass
class Call:
    kind: str  # "write" or "read"
    client: int | None  # the writer's index; None for readers
    started: float
    ended: float
    status: int | None  # None: transport error
    ok: bool  # 200 with data and no errors
    detail: str = ""
    data: dict[str, Any] | None = None


@dataclass
class Ack:
    key: str
    lineage: str
    artifact_id: str
    attempts: int
    client: int
    ended: float  # when the acknowledging answer arrived


@dataclass
class Load:
    calls: list[Call] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)


async def post(
    client: httpx.AsyncClient, kind: str, who: int | None, body: dict[str, Any], **kw: Any
) -> Call:
    started = time.monotonic()
    try:
        r = await client.post("/graphql", json=body, **kw)
    except httpx.TransportError as exc:
        return Call(kind, who, started, time.monotonic(), None, False, type(exc).__name__)
    ended = time.monotonic()
    try:
        payload = r.json()
    except ValueError:
        return Call(kind, who, started, ended, r.status_code, False, r.text[:200])
    ok = r.status_code == 200 and not payload.get("errors") and bool(payload.get("data"))
    detail = "" if ok else str(payload.get("errors"))[:300]
    return Call(kind, who, started, ended, r.status_code, ok, detail, payload.get("data"))


async def writer(
    client: httpx.AsyncClient, token: str, n_client: int, stop: asyncio.Event, load: Load
) -> None:
    headers = {"authorization": f"Bearer {token}"}
    hard_stop = time.monotonic() + HARD_LIMIT_S
    for n in range(1, MAX_WRITES_PER_CLIENT + 1):
        if stop.is_set():
            return
        lineage, key = f"load-{n_client}-{n}", f"restart-{n_client}-{n}"
        body = {
            "query": REGISTER,
            "variables": {
                "input": {"lineageId": lineage, "title": f"Load {n_client}/{n}"},
                "key": key,
            },
        }
        for attempt in range(1, MAX_ATTEMPTS + 1):
            call = await post(client, "write", n_client, body, headers=headers)
            load.calls.append(call)
            if call.ok:
                assert call.data is not None
                result = call.data["registerDataset"]
                load.acks.append(Ack(key, lineage, result["id"], attempt, n_client, call.ended))
                break
            if call.status is not None and call.status < 500:
                # A client does not retry a 4xx (a 401 says its token is bad), so the write is
                # dropped: counted as never acknowledged, which fails the test.
                load.unacknowledged.append(f"{key}: {call.status} {call.detail}")
                break
            if time.monotonic() > hard_stop:
                load.unacknowledged.append(f"{key}: gave up after {attempt} attempts")
                return
            await asyncio.sleep(0.05)  # same logical write, same key
        else:
            load.unacknowledged.append(f"{key}: gave up after {MAX_ATTEMPTS} attempts")


async def reader(client: httpx.AsyncClient, stop: asyncio.Event, load: Load) -> None:
    hard_stop = time.monotonic() + HARD_LIMIT_S
    while not stop.is_set() and time.monotonic() < hard_stop:
        load.calls.append(await post(client, "read", None, {"query": READ}))
        await asyncio.sleep(0.02)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition``, polling; fail (never pass) at the hard limit."""
    deadline = time.monotonic() + HARD_LIMIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)


async def first_connect(dsn: str) -> float:
    """The instant the database accepts a connection and answers a query again."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = await asyncpg.connect(dsn, timeout=1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            await asyncio.sleep(0.01)
            continue
        try:
            await conn.fetchval("select 1")
            return time.monotonic()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.01)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
    raise AssertionError("the database did not come back within 30 s")


async def test_postgres_restart_under_write_load_loses_and_doubles_nothing(
    app: Served, postgres: RestartablePostgres
) -> None:
    token = await asyncio.to_thread(create_write_token, postgres.dsn)
    pid = app.proc.pid
    assert await asyncio.to_thread(listening_pid, app.port) == pid
    created = psutil.Process(pid).create_time()

    load = Load()
    stop = asyncio.Event()
    timeout = httpx.Timeout(10.0)
    limits = httpx.Limits(max_connections=WRITERS + READERS + 3)
    async with httpx.AsyncClient(
        base_url=app.url, timeout=timeout, limits=limits, trust_env=False
    ) as client:
        tasks = [asyncio.create_task(writer(client, token, i, stop, load)) for i in range(WRITERS)]
        tasks += [asyncio.create_task(reader(client, stop, load)) for _ in range(READERS)]
        try:
            await until(lambda: len(load.acks) >= WARMUP_ACKS, "writes before the restart")
            t_stop = time.monotonic()
            await asyncio.to_thread(postgres.stop)
            t_down = time.monotonic()
            # A client that arrives while the database is down: its token lookup fails for a
            # whole retry window, so it must get a 503 (and retry), never a 401.
            tasks.append(asyncio.create_task(writer(client, token, LATE_WRITER, stop, load)))

            def answered_503(n_client: int | None) -> bool:
                return any(
                    c.status == 503 and c.started >= t_down and n_client in (None, c.client)
                    for c in load.calls
                )

            await until(lambda: answered_503(None), "a 503 while the database is down")
            await until(lambda: answered_503(LATE_WRITER), "a 503 for the late writer")
            probe = asyncio.create_task(first_connect(postgres.dsn))
            t_start = time.monotonic()
            await asyncio.to_thread(postgres.start)
            t_started = time.monotonic()
            # pg_ctl -w returns once the server is ready, so that too bounds the instant
            t_back = min(await probe, t_started)

            def caught_up() -> bool:
                after = [a for a in load.acks if a.ended >= t_back]
                per_writer = [sum(a.client == i for a in after) for i in range(LATE_WRITER + 1)]
                read_ok = any(c.kind == "read" and c.ok and c.started >= t_back for c in load.calls)
                return read_ok and min(per_writer) >= AFTER_BACK_ACKS

            await until(caught_up, "every client working again after the restart")
        finally:
            stop.set()
            done, pending = await asyncio.wait(tasks, timeout=HARD_LIMIT_S)
            for t in pending:
                t.cancel()
        for t in done:
            t.result()  # a crashed client is a test bug: surface it
        assert not pending, "load clients did not finish in time"

    # --- what the clients saw -------------------------------------------------------------
    calls = sorted(load.calls, key=lambda c: c.started)
    writes = [c for c in calls if c.kind == "write"]
    reads = [c for c in calls if c.kind == "read"]
    failed = [c for c in calls if not c.ok]
    server_errors = [c for c in calls if c.status is not None and c.status >= 500]
    transport_errors = [c for c in calls if c.status is None]
    after_back = [c for c in calls if c.started >= t_back]
    failed_after_back = [c for c in after_back if not c.ok]
    carried_over = [c for c in calls if t_down <= c.started < t_back and c.ok]
    first_write = min((c.ended for c in writes if c.ok and c.ended > t_back), default=None)
    first_read = min((c.ended for c in reads if c.ok and c.ended > t_back), default=None)
    retried = [a for a in load.acks if a.attempts > 1]
    late_first = next((a for a in load.acks if a.key == f"restart-{LATE_WRITER}-1"), None)
    down_statuses = [c.status for c in writes if t_down <= c.started < t_back]
    in_outage = [c for c in calls if c.started < t_back and c.ended > t_stop]
    latencies = sorted(c.ended - c.started for c in calls if c.ok)
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0

    # --- what the database holds ----------------------------------------------------------
    acked_ids = [a.artifact_id for a in load.acks]
    conn = await asyncpg.connect(postgres.dsn)
    try:
        present = {
            r["id"]
            for r in await conn.fetch("select id from artifacts where id = any($1)", acked_ids)
        }
        stored = await conn.fetchval(
            "select count(*) from artifacts where lineage_id like 'load-%'"
        )
        duplicate_lineages = await conn.fetch(
            "select lineage_id, count(*) as n from artifacts where lineage_id like 'load-%'"
            " group by lineage_id having count(*) > 1"
        )
        keys = {
            r["key"]: r["artifact_id"]
            for r in await conn.fetch(
                "select key, artifact_id from idempotency_keys where key like 'restart-%'"
            )
        }
        shared_artifacts = await conn.fetch(
            "select artifact_id, count(*) from idempotency_keys where key like 'restart-%'"
            " group by artifact_id having count(*) > 1"
        )
        double_audit = await conn.fetch(
            "select artifact_id, count(*) from audit_log where action = 'register'"
            " and artifact_id like 'load-%' group by artifact_id having count(*) > 1"
        )
    finally:
        await conn.close()
    lost = sorted(set(acked_ids) - present)
    wrong_keys = [a.key for a in load.acks if keys.get(a.key) != a.artifact_id]

    # --- the same process served throughout -----------------------------------------------
    still_running = app.proc.poll() is None
    listener = await asyncio.to_thread(listening_pid, app.port)
    same_process = still_running and listener == pid
    same_process = same_process and psutil.Process(pid).create_time() == created

    def at(t: float | None) -> str:
        return "never" if t is None else f"{t - t_back:+.3f}s"

    print(
        "\n[db-restart] timeline (relative to the database accepting connections again):"
        f"\n  stop requested {at(t_stop)}, stopped {at(t_down)}, start requested {at(t_start)},"
        f" pg_ctl start returned {at(t_started)}; outage {t_back - t_stop:.3f}s"
        f"\n  first successful write after restart {at(first_write)},"
        f" first successful read {at(first_read)}"
        f"\n[db-restart] requests: {len(calls)} ({len(writes)} writes, {len(reads)} reads);"
        f" {len(in_outage)} overlapped the outage; failed {len(failed)}"
        f" (5xx {len(server_errors)}, transport errors {len(transport_errors)});"
        f" started after the restart: {len(after_back)}, {len(failed_after_back)} failed;"
        f" carried over the restart by the server: {len(carried_over)};"
        f" latency of successes p50 {p50 * 1000:.0f} ms,"
        f" p99 {p99 * 1000:.0f} ms"
        f"\n[db-restart] writes: {len(load.acks)} acknowledged,"
        f" {len(retried)} needed a client retry"
        f" (max attempts {max((a.attempts for a in load.acks), default=0)}),"
        f" {len(load.unacknowledged)} never acknowledged; the writer that arrived during"
        f" the outage: first write acknowledged after"
        f" {late_first.attempts if late_first else 'no'} attempt(s); statuses of writes"
        f" started while the database was down: {down_statuses}"
        f"\n[db-restart] database: {len(present)}/{len(acked_ids)} acknowledged present,"
        f" lost {len(lost)}, load artifacts stored {stored}, duplicate lineages"
        f" {len(duplicate_lineages)}, keys mapping elsewhere {len(wrong_keys)}, artifacts"
        f" shared by keys {len(shared_artifacts)}, double audit entries {len(double_audit)}"
        f"\n[db-restart] app pid {pid}: still running {still_running}, listener pid {listener},"
        f" same process {same_process}"
    )
    for c in failed[:10]:
        print(f"  failed {c.kind} {at(c.started)}..{at(c.ended)}: {c.status} {c.detail[:160]}")

    log = app.log_tail()
    assert t_stop < t_down < t_back, "the database was not restarted"
    assert in_outage, "no request overlapped the outage; the test proved nothing"
    assert not load.unacknowledged, load.unacknowledged[:10]
    assert len(load.acks) >= WRITERS * 5, "too little write load"
    assert retried, "no write was retried by its client with the same key"
    assert late_first is not None, "the writer that arrived during the outage got nowhere"
    assert lost == [], f"acknowledged writes lost: {lost[:10]}"
    assert stored == len(acked_ids), "artifacts without an acknowledged write"
    assert duplicate_lineages == [], f"duplicates: {duplicate_lineages[:10]}"
    assert wrong_keys == [] and shared_artifacts == [] and double_audit == []
    assert set(keys) == {a.key for a in load.acks}
    # Once the database is back, every request that starts succeeds, reads and writes alike.
    assert failed_after_back == [], [
        (c.kind, at(c.started), at(c.ended), c.status, c.detail) for c in failed_after_back[:10]
    ]
    assert any(c.kind == "write" for c in after_back) and any(c.kind == "read" for c in after_back)
    # Requests that started while it was down and were answered once it was back.
    assert carried_over, "no request was carried over the restart by the server's retries"
    assert 503 in down_statuses and 401 not in [c.status for c in calls], down_statuses
    assert same_process, log
