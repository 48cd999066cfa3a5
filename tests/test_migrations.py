"""Migrations apply once, in order, even when two processes start together."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db.migrate import migrate, migration_files
from tests.conftest import run_admin


@pytest.fixture
async def fresh_dsn(session_pool: asyncpg.Pool, pg_dsn: str) -> AsyncIterator[str]:
    drop = "drop database if exists registry_fresh with (force)"
    await run_admin(pg_dsn, drop, "create database registry_fresh")
    base, _, query = pg_dsn.partition("?")
    yield base.rsplit("/", 1)[0] + "/registry_fresh" + (f"?{query}" if query else "")
    await run_admin(pg_dsn, drop)


async def schema_signature(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'public' order by 1, 2"
    )
    return [(r[0], r[1]) for r in rows]


async def test_rerunning_migrations_is_a_no_op(fresh_dsn):
    conn = await asyncpg.connect(fresh_dsn)
    try:
        first = await migrate(conn)
        assert first == [p.name for p in migration_files()]
        shape = await schema_signature(conn)
        assert await migrate(conn) == []
        assert await schema_signature(conn) == shape
        assert await conn.fetchval("select count(*) from schema_migrations") == len(first)
    finally:
        await conn.close()


async def test_two_processes_migrating_at_once_apply_each_migration_once(fresh_dsn):
    conns = [await asyncpg.connect(fresh_dsn) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        applied = [name for r in results for name in r]
        assert sorted(applied) == [p.name for p in migration_files()]
    finally:
        for c in conns:
            await c.close()


SESSION_LOCK = re.compile(r"pg_(try_)?advisory_(un)?lock(_shared)?\(|pg_advisory_unlock_all", re.I)


async def test_migrations_hold_only_transaction_scoped_locks(fresh_dsn):
    # A session lock does not survive a transaction-pooling PgBouncer: the lock and the
    # unlock can land on different server connections.
    conns = [await asyncpg.connect(fresh_dsn) for _ in range(2)]
    statements: list[str] = []
    try:
        for c in conns:
            c.add_query_logger(lambda q: statements.append(q.query))
        await asyncio.gather(*(migrate(c) for c in conns))
        assert await migrate(conns[0]) == []
        assert any("pg_advisory_xact_lock" in s for s in statements)
        assert [s for s in statements if SESSION_LOCK.search(s)] == []
        held = "select count(*) from pg_locks where locktype = 'advisory' and pid = any($1)"
        assert await conns[0].fetchval(held, [c.get_server_pid() for c in conns]) == 0
    finally:
        for c in conns:
            await c.close()
