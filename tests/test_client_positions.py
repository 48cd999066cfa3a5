"""The Python client reads its own writes from a registry that reads from a replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from model_registry_client import DatasetInput, Registry
from model_registry_client.transport import position_key

from tests.client_server import Served, serving
from tests.factories import make_token
from tests.replication import Topology
from tests.test_replicas import primary, replicated_env

pytestmark = pytest.mark.process

__all__ = ["primary"]  # the fixture, used by name below


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0/0", 0),
        ("0/3A1C2F8", 0x3A1C2F8),
        ("16/B374D848", (0x16 << 32) + 0xB374D848),
        ("16", None),
        ("x/1", None),
        ("", None),
    ],
)
def test_positions_compare_as_wal_positions(text: str, key: int | None) -> None:
    assert position_key(text) == key


@pytest.fixture
def served(topology: Topology, primary: asyncpg.Connection, tmp_path: Path) -> Iterator[Served]:
    env = replicated_env(topology)
    with serving(topology.bouncer.dsn(topology.database), tmp_path / "app.log", **env) as s:
        yield s


async def test_a_client_reads_what_it_wrote_while_the_replica_lags(
    topology: Topology, primary: asyncpg.Connection, served: Served
) -> None:
    token = await make_token(primary, "write", name="client-positions")
    with Registry(served.url, token) as writer, Registry(served.url) as other:
        topology.replica.psql("select pg_wal_replay_pause()", topology.database)
        created = writer.register_dataset(DatasetInput("dataset-fresh", "Fresh"))
        # The writer presents its write's position: the registry reads from the primary.
        seen = writer.dataset(created["id"])
        assert seen is not None and seen["title"] == "Fresh"
        # Another client presents none: the paused replica answers, without the write.
        assert other.dataset(created["id"]) is None
