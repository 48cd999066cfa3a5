"""GraphQL selections compiled into one SQL statement that builds the JSON answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.db.types import Conn


async def fetch_json(conn: Conn, statement: str, params: Sequence[Any]) -> str | None:
    """Run a compiled statement: the answer's JSON text, or None when a guard failed."""
    value: str | None = await conn.fetchval(statement, *params)
    return value
