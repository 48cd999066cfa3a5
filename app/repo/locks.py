"""Advisory locks that serialise one-off work across processes."""

from __future__ import annotations

from app.db.types import Conn


async def hold_for_transaction(conn: Conn, key: int) -> None:
    """Take an advisory lock released when the current transaction ends."""
    await conn.execute("select pg_advisory_xact_lock($1)", key)


async def ping(conn: Conn) -> bool:
    """Answer whether the server executes a statement."""
    return bool(await conn.fetchval("select true"))
