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

# What PgBouncer 1.18 passes on from a client's startup packet; it refuses anything else.
POOLER_STARTUP_SETTINGS = frozenset({"TimeZone"})


def session_settings(statement_timeout_ms: int) -> dict[str, str]:
    """The settings every connection of the app runs with."""
    return {**SESSION_SETTINGS, "statement_timeout": str(statement_timeout_ms)}


class RegistryConnection(asyncpg.Connection):
    """Released without a reset round trip.

    The app keeps no session state on pooled connections (settings come from the startup
    packet or the role's defaults, locks are transaction-scoped); asyncpg still rolls back an
    open transaction on release.
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


async def connect_direct(dsn: str, *, statement_timeout_ms: int = 5000) -> asyncpg.Connection:
    """One connection set up as the pool's are, for work that must not go through a pooler."""
    conn = await asyncpg.connect(dsn, server_settings=session_settings(statement_timeout_ms))
    try:
        await _init_connection(conn, None)
    except BaseException:
        conn.terminate()
        raise
    return conn


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    statement_cache_size: int = 100,
    statement_timeout_ms: int = 5000,
    behind_pooler: bool = False,
    query_logger: QueryLogger | None = None,
) -> asyncpg.Pool:
    """Open a pool whose connections decode json/jsonb into Python values.

    ``behind_pooler``: ``dsn`` reaches PostgreSQL through PgBouncer, so only the settings it
    passes on go in the startup packet; the others must be the role's defaults
    (``apply_role_defaults``). ``query_logger`` sees every statement the pool's connections
    execute.
    """
    settings = session_settings(statement_timeout_ms)
    if behind_pooler:
        settings = {k: v for k, v in settings.items() if k in POOLER_STARTUP_SETTINGS}
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        statement_cache_size=statement_cache_size,
        init=functools.partial(_init_connection, query_logger=query_logger),
        connection_class=RegistryConnection,
        server_settings=settings,
    )
    assert pool is not None
    return pool


async def apply_role_defaults(conn: asyncpg.Connection, statement_timeout_ms: int) -> bool:
    """Make the session settings the defaults of this role in this database; True if changed.

    Connections through a pooler get them this way: PostgreSQL applies a role's defaults when
    a server connection starts, whoever the pooler later hands it to. They are stored in the
    catalog, so replicas get them too.
    """
    wanted = {k.lower(): v for k, v in session_settings(statement_timeout_ms).items()}
    stored = await conn.fetchval(
        """
        select setconfig from pg_db_role_setting
        where setrole = (select oid from pg_roles where rolname = current_user)
          and setdatabase = (select oid from pg_database where datname = current_database())
        """
    )
    # Stored as name=value, under the setting's own spelling (TimeZone).
    current = {name.lower(): value for name, value in (item.split("=", 1) for item in stored or [])}
    if all(current.get(name) == value for name, value in wanted.items()):
        return False
    database = await conn.fetchval("select quote_ident(current_database())")
    for name, value in wanted.items():
        # Identifiers and values cannot be parameters of ALTER ROLE; both come from this module.
        await conn.execute(f"alter role current_user in database {database} set {name} = '{value}'")
    return True
