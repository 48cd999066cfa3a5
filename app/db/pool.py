"""The asyncpg pool, with JSON codecs installed on every connection."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import asyncpg
import orjson
from asyncpg.connection import LoggedQuery

QueryLogger = Callable[[LoggedQuery], None]


SESSION_SETTINGS = {
    "TimeZone": "UTC",
    # Every statement is prepared with only the filters a request sets (no optional
    # "$1 is null or" clauses), so one plan per statement serves all its values; the
    # compiled JSON statements would otherwise be re-planned, which costs 10x running.
    "plan_cache_mode": "force_generic_plan",
}


class RegistryConnection(asyncpg.Connection):
    """Released without a reset round trip.

    The app keeps no session state on pooled connections (settings come from the startup
    packet, locks are transaction-scoped); asyncpg still rolls back an open transaction on
    release.
    """

    def get_reset_query(self) -> str:
        return ""


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _init_connection(conn: asyncpg.Connection, query_logger: QueryLogger | None) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog", format="text"
        )
    # asyncpg learns the codec of int[] (paged batches) by asking the server the first time
    # it meets it; asking here keeps those statements out of the first request.
    await conn.fetchval("select $1::int[]", [])
    if query_logger is not None:
        conn.add_query_logger(query_logger)


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    statement_cache_size: int = 100,
    statement_timeout_ms: int = 5000,
    query_logger: QueryLogger | None = None,
) -> asyncpg.Pool:
    """Open a pool whose connections decode json/jsonb into Python values.

    ``query_logger`` sees every statement the pool's connections execute.
    """
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        statement_cache_size=statement_cache_size,
        init=functools.partial(_init_connection, query_logger=query_logger),
        connection_class=RegistryConnection,
        server_settings={**SESSION_SETTINGS, "statement_timeout": str(statement_timeout_ms)},
    )
    assert pool is not None
    return pool


async def connect(dsn: str, *, statement_timeout_ms: int = 5000) -> asyncpg.Connection:
    """One connection outside the pool, set up as the pool's are (for a session of its own)."""
    conn = await asyncpg.connect(
        dsn,
        connection_class=RegistryConnection,
        server_settings={**SESSION_SETTINGS, "statement_timeout": str(statement_timeout_ms)},
    )
    await _init_connection(conn, None)
    return conn
