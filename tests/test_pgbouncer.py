"""The registry behind Debian's PgBouncer 1.18 in transaction mode (the topology fixture)."""

from __future__ import annotations

import asyncpg
import pytest

from app.db.pool import apply_role_defaults, connect_direct, create_pool
from tests.conftest import empty_registry
from tests.factories import make_token
from tests.http import running_app
from tests.replication import Topology

ITEMS = "{ models(limit: 5) { items { id } } }"
REGISTER = """
mutation {
  registerDataset(input: {lineageId: "dataset-bouncer", title: "through PgBouncer"}) {
    id versionNumber
  }
}
"""


def pooled_env(topology: Topology, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_DIRECT_URL": topology.primary.dsn(topology.database),
        "DB_STATEMENT_CACHE_SIZE": "0",
        **extra,
    }


@pytest.fixture
async def primary(topology: Topology) -> asyncpg.Connection:
    conn = await connect_direct(topology.primary.dsn(topology.database))
    try:
        async with running_app(topology.bouncer.dsn(topology.database), pooled_env(topology)):
            pass  # migrates the topology's database, over the direct URL
        # Server connections opened under another test's STATEMENT_TIMEOUT_MS go.
        topology.bouncer.admin("RECONNECT")
        await empty_registry(conn)
        yield conn
    finally:
        await conn.close()


async def test_pgbouncer_refuses_the_settings_a_direct_pool_sends_at_startup(topology):
    # The premise of the tests below: this really is a PgBouncer that refuses them.
    with pytest.raises(asyncpg.ProtocolViolationError, match="unsupported startup parameter"):
        await create_pool(topology.bouncer.dsn(topology.database), min_size=1, max_size=1)


async def test_behind_pgbouncer_connections_run_with_the_role_defaults(topology, primary):
    env = pooled_env(topology, STATEMENT_TIMEOUT_MS="4321")
    async with running_app(topology.bouncer.dsn(topology.database), env) as api:
        # Server connections PgBouncer opened before keep the defaults they started with;
        # RECONNECT (or server_lifetime) replaces them, as the README says.
        topology.bouncer.admin("RECONNECT")
        db = api.state["db"]
        async with db.connection() as conn:
            assert await conn.fetchval("show plan_cache_mode") == "force_generic_plan"
            assert await conn.fetchval("show statement_timeout") == "4321ms"
            assert await conn.fetchval("show timezone") == "UTC"
            # Proof the connection is PgBouncer's: the server sees it come over TCP from it.
            assert await conn.fetchval("select inet_server_port()") == topology.primary.port
    stored = await primary.fetchval(
        "select setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase"
        " where d.datname = current_database()"
    )
    assert "statement_timeout=4321" in stored and "plan_cache_mode=force_generic_plan" in stored


async def test_writes_and_reads_work_through_pgbouncer_in_transaction_mode(topology, primary):
    async with running_app(topology.bouncer.dsn(topology.database), pooled_env(topology)) as api:
        token = await make_token(primary, "write")
        api.client.headers["authorization"] = f"Bearer {token}"
        registered = await api.data(REGISTER)
        assert registered["registerDataset"] == {"id": "dataset-bouncer-v1", "versionNumber": 1}
        for _ in range(3):  # the same statements again, on whichever server connection
            assert (await api.data(ITEMS))["models"]["items"] == []
        r = await api.client.get("/api/models", params={"limit": "2"})
        assert r.status_code == 200, r.text
    assert await primary.fetchval("select count(*) from artifacts") == 1


async def test_a_statement_timeout_through_pgbouncer_is_the_clear_error(topology, primary):
    env = pooled_env(topology, STATEMENT_TIMEOUT_MS="200", DB_POOL_MAX="1")
    async with running_app(topology.bouncer.dsn(topology.database), env) as api:
        topology.bouncer.admin("RECONNECT")
        async with primary.transaction():
            await primary.execute("lock table artifacts in access exclusive mode")
            body = (await api.client.post("/graphql", json={"query": ITEMS})).json()
        assert body["errors"][0]["extensions"]["code"] == "STATEMENT_TIMEOUT"
        assert "200 ms" in body["errors"][0]["message"]
        again = await api.client.post("/graphql", json={"query": ITEMS})
        assert again.json() == {"data": {"models": {"items": []}}}


async def test_role_defaults_are_written_only_when_they_change(topology, primary):
    assert await apply_role_defaults(primary, 7000) is True
    assert await apply_role_defaults(primary, 7000) is False
    assert await apply_role_defaults(primary, 5000) is True
