"""Read-your-writes across worker processes: `python -m app serve` with REGISTRY_WORKERS=2, the
primary behind PgBouncer and a streaming replica (tests/replication.py).

A position a write answered with is honoured by whichever worker takes the next connection;
which server answered each read is counted by the `target` metric, summed over the workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.db import positions
from tests.client_server import Served, serving
from tests.factories import make_token
from tests.replication import Topology
from tests.test_replicas import REGISTER, primary, replica_name, replicated_env, until

pytestmark = pytest.mark.process

__all__ = ["primary"]  # the fixture, used by name below

DATASETS = "{ datasets(limit: 100) { items { id } } }"


@pytest.fixture
def served(topology: Topology, primary: asyncpg.Connection, tmp_path: Path) -> Iterator[Served]:
    env = replicated_env(topology, REGISTRY_WORKERS="2")
    with serving(topology.bouncer.dsn(topology.database), tmp_path / "app.log", **env) as s:
        yield s


def post(served: Served, body: dict, headers: dict[str, str] | None = None) -> httpx.Response:
    # A new connection each time: the kernel picks the worker, not a kept-alive connection.
    with httpx.Client(trust_env=False) as c:
        return c.post(served.url + "/graphql", json=body, headers=headers or {}, timeout=10)


def reads_by(served: Served, target: str) -> float:
    with httpx.Client(trust_env=False) as c:
        text = c.get(served.url + "/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("db_reads_total{") and f'target="{target}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def datasets(served: Served, position: str | None = None) -> set[str]:
    headers = {} if position is None else {positions.HEADER: position}
    r = post(served, {"query": DATASETS}, headers)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["data"]["datasets"]["items"]}


async def test_two_workers_honour_each_others_positions(
    topology: Topology, primary: asyncpg.Connection, served: Served
) -> None:
    token = await make_token(primary, "write", name="workers-writer")
    auth = {"authorization": f"Bearer {token}"}

    def register(lineage: str) -> str:
        r = post(served, {"query": REGISTER, "variables": {"lineage": lineage}}, auth)
        assert r.status_code == 200, r.text
        return r.headers[positions.HEADER]

    before = await asyncio.to_thread(register, "dataset-before")

    async def replica_has_it() -> bool:
        return "dataset-before-v1" in await asyncio.to_thread(datasets, served, before)

    await until(replica_has_it, "the setup write is readable")
    replica = replica_name(topology)

    async def replica_serves() -> bool:
        seen = await asyncio.to_thread(reads_by, served, replica)
        await asyncio.to_thread(datasets, served, before)
        return await asyncio.to_thread(reads_by, served, replica) > seen

    await until(replica_serves, "the replica serves reads that present the setup's position")

    topology.replica.psql("select pg_wal_replay_pause()", topology.database)
    written = [await asyncio.to_thread(register, f"dataset-new-{i}") for i in range(4)]
    for i, position in enumerate(written):
        # Each read may land on either worker; each sees the write whose position it presents.
        assert f"dataset-new-{i}-v1" in await asyncio.to_thread(datasets, served, position)

    on_replica = await asyncio.to_thread(reads_by, served, replica)
    stale = await asyncio.to_thread(datasets, served)
    assert stale == {"dataset-before-v1"}  # the paused replica answered, without the new ones
    assert await asyncio.to_thread(reads_by, served, replica) == on_replica + 1
    assert await primary.fetchval("select count(*) from artifacts") == 5
