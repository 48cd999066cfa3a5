"""Reads on a real streaming replica, writes on the primary, and reading one's own writes.

The app reaches the primary through PgBouncer in transaction mode and the replica directly,
as a deployment would; the topology fixture starts all three (tests/replication.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db import positions
from app.db.pool import connect_direct
from tests.conftest import empty_registry
from tests.factories import make_token
from tests.http import Api, running_app
from tests.processes import free_port
from tests.replication import Topology

DATASETS = "{ datasets(limit: 100) { items { id } } }"
REGISTER = """
mutation($lineage: ID!) {
  registerDataset(input: {lineageId: $lineage, title: "replicated"}) { id }
}
"""


def replicated_env(topology: Topology, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_DIRECT_URL": topology.primary.dsn(topology.database),
        "DATABASE_REPLICA_URLS": topology.replica.dsn(topology.database),
        "DB_STATEMENT_CACHE_SIZE": "0",
        "REGISTRY_REPLICA_POLL_S": "0.05",
        **extra,
    }


@contextlib.asynccontextmanager
async def replicated_app(topology: Topology, **extra: str) -> AsyncIterator[Api]:
    env = replicated_env(topology, **extra)
    async with running_app(topology.bouncer.dsn(topology.database), env) as api:
        yield api


def reads_by(api: Api, target: str) -> float:
    value = api.state["metrics"].registry.get_sample_value("db_reads_total", {"target": target})
    return value or 0.0


def replica_name(topology: Topology) -> str:
    return f"127.0.0.1:{topology.replica.port}"


@pytest.fixture
async def primary(topology: Topology) -> AsyncIterator[asyncpg.Connection]:
    """The topology's primary, migrated and emptied; the replica replaying."""
    if not (topology.replica.pgdata / "postmaster.pid").exists():
        topology.replica.start()  # an earlier test stopped it and failed before restarting it
    conn = await connect_direct(topology.primary.dsn(topology.database))
    try:
        async with replicated_app(topology):
            pass  # migrates over the direct URL
        topology.bouncer.admin("RECONNECT")
        await empty_registry(conn)
        yield conn
    finally:
        topology.replica.psql("select pg_wal_replay_resume()", topology.database)
        await conn.close()


async def register(api: Api, primary: asyncpg.Connection, lineage: str) -> str:
    """Register a dataset as a pipeline would; the response's position."""
    token = await make_token(primary, "write", name=f"writer-{lineage}")
    r = await api.client.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"lineage": lineage}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["data"]["registerDataset"]["id"] == f"{lineage}-v1"
    position = r.headers[positions.HEADER]
    assert body["extensions"]["position"] == position
    return str(position)


async def dataset_ids(api: Api, position: str | None = None) -> set[str]:
    headers = {} if position is None else {positions.HEADER: position}
    r = await api.client.post("/graphql", json={"query": DATASETS}, headers=headers)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["data"]["datasets"]["items"]}


async def until(condition, what: str, attempts: int = 200) -> None:
    """Wait for ``condition()`` to hold (polled every 50 ms); fail naming ``what`` if never."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never: {what}")


async def test_a_write_lands_on_the_primary_and_answers_with_its_commit_position(topology, primary):
    async with replicated_app(topology) as api:
        position = await register(api, primary, "dataset-written")
    assert await primary.fetchval("select count(*) from artifacts") == 1
    # The position is at or past the commit and not past what the primary has written.
    assert positions.parse(position) <= await primary.fetchval("select pg_current_wal_lsn()")
    replica = await asyncpg.connect(topology.replica.dsn(topology.database))
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await replica.execute("insert into lineages (id, kind) values ('x', 'dataset')")
    finally:
        await replica.close()


async def test_with_replay_paused_a_read_with_the_position_sees_the_write_and_one_without_does_not(
    topology, primary
):
    # Two app processes' worth: the position from one is honoured by the other.
    async with replicated_app(topology) as writer, replicated_app(topology) as reader:
        await register(writer, primary, "dataset-before")
        before = await register(writer, primary, "dataset-before-2")
        await until(
            lambda: _served_by_replica(reader, topology, before), "the replica replays the setup"
        )
        topology.replica.psql("select pg_wal_replay_pause()", topology.database)
        position = await register(writer, primary, "dataset-new")

        on_primary = reads_by(reader, "primary")
        assert "dataset-new-v1" in await dataset_ids(reader, position)
        assert reads_by(reader, "primary") == on_primary + 1

        on_replica = reads_by(reader, replica_name(topology))
        stale = await dataset_ids(reader)
        # Served by the paused replica: it has the earlier writes, not the new one.
        assert stale == {"dataset-before-v1", "dataset-before-2-v1"}
        assert reads_by(reader, replica_name(topology)) == on_replica + 1

        topology.replica.psql("select pg_wal_replay_resume()", topology.database)
        # Once replayed (and polled), the replica serves the read that presents the position.
        await until(
            lambda: _served_by_replica(reader, topology, position), "the replica catches up"
        )


async def _served_by_replica(api: Api, topology: Topology, position: str) -> bool:
    before = reads_by(api, replica_name(topology))
    await dataset_ids(api, position)
    return reads_by(api, replica_name(topology)) > before


async def test_a_replica_further_behind_than_the_lag_limit_serves_no_reads(topology, primary):
    async with replicated_app(topology, REGISTRY_REPLICA_MAX_LAG_BYTES="0") as api:
        topology.replica.psql("select pg_wal_replay_pause()", topology.database)
        await register(api, primary, "dataset-lagging")
        metrics = api.state["metrics"].registry

        async def lag_seen() -> bool:
            lag = metrics.get_sample_value(
                "db_replica_lag_bytes", {"replica": replica_name(topology)}
            )
            return lag is not None and lag > 0

        await until(lag_seen, "the poll sees the replica lag")
        on_primary = reads_by(api, "primary")
        assert "dataset-lagging-v1" in await dataset_ids(api)  # no position, still fresh
        assert reads_by(api, "primary") == on_primary + 1


async def test_reads_survive_the_replica_stopping_and_return_to_it_when_it_is_back(
    topology, primary
):
    async with replicated_app(topology) as api:
        await register(api, primary, "dataset-load")
        replica = replica_name(topology)
        await until(lambda: _served_by_replica(api, topology, "0/0"), "reads reach the replica")
        failures: list[str] = []

        async def load(requests: int) -> None:
            for _ in range(requests):
                r = await api.client.get("/api/models", params={"limit": "5"})
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text}")
                r = await api.client.post("/graphql", json={"query": DATASETS})
                if r.status_code != 200 or "errors" in r.json():
                    failures.append(f"{r.status_code} {r.text}")

        on_replica = reads_by(api, replica)
        readers = [asyncio.create_task(load(40)) for _ in range(4)]

        async def replica_under_load() -> bool:
            return reads_by(api, replica) > on_replica + 8

        await until(replica_under_load, "the load reaches the replica")
        await asyncio.to_thread(topology.replica.stop)
        await asyncio.gather(*readers)
        assert failures == []

        on_primary = reads_by(api, "primary")
        await load(10)
        assert failures == []
        assert reads_by(api, "primary") == on_primary + 20  # every read moved to the primary
        up = api.state["metrics"].registry.get_sample_value("db_replica_up", {"replica": replica})
        assert up == 0

        await asyncio.to_thread(topology.replica.start)
        await until(lambda: _served_by_replica(api, topology, "0/0"), "reads return to it")
        await load(5)
        assert failures == []


async def test_a_position_that_is_not_one_is_refused_with_a_clear_error(api):
    for bad in ("nonsense", "0/", "1/2/3", "G/0", "0/" + "F" * 9):
        r = await api.client.post(
            "/graphql", json={"query": DATASETS}, headers={positions.HEADER: bad}
        )
        assert r.status_code == 400, bad
        assert r.json()["errors"][0]["extensions"]["code"] == "BAD_POSITION"
        r = await api.client.get("/api/models", headers={positions.HEADER: bad})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "BAD_POSITION"


async def test_without_replicas_a_write_still_answers_with_its_position(api, conn):
    token = await make_token(conn, "write", name="plain")
    r = await api.client.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"lineage": "dataset-plain"}},
        headers={"authorization": f"Bearer {token}"},
    )
    written = positions.parse(r.headers[positions.HEADER])
    assert written <= await conn.fetchval("select pg_current_wal_lsn()")
    # A read presenting it is answered (by the primary, the only server).
    assert "dataset-plain-v1" in await dataset_ids(api, r.headers[positions.HEADER])


async def test_a_replica_that_is_down_at_start_is_skipped_and_the_primary_serves(db, pg_dsn):
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/registry"
    async with running_app(pg_dsn, {"DATABASE_REPLICA_URLS": nowhere}) as app:
        for _ in range(3):
            assert await dataset_ids(app) == set()
        assert reads_by(app, "primary") == 3
        name = f"127.0.0.1:{nowhere.split(':')[2].split('/')[0]}"
        up = app.state["metrics"].registry.get_sample_value("db_replica_up", {"replica": name})
        assert up == 0
