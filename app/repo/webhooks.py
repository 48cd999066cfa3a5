"""Webhooks as stored: URL, event names and the one or two secrets deliveries are signed with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.db.types import Conn

# Serialises creations, so the count checked against the maximum is the count inserted into.
_CREATE_LOCK = 0x776562686F6F6B  # "webhook"


@dataclass(frozen=True)
class WebhookRow:
    id: uuid.UUID
    url: str
    events: tuple[str, ...]
    created_by: str
    created_at: datetime
    secret_rotated_at: datetime | None
    has_previous_secret: bool


_COLUMNS = """
    id, url, events, created_by, created_at, secret_rotated_at,
    previous_secret is not null as has_previous_secret
"""


def _row(r: asyncpg.Record) -> WebhookRow:
    return WebhookRow(
        r["id"],
        r["url"],
        tuple(r["events"]),
        r["created_by"],
        r["created_at"],
        r["secret_rotated_at"],
        r["has_previous_secret"],
    )


async def insert(
    conn: Conn, url: str, events: Sequence[str], secret: str, created_by: str, most: int
) -> WebhookRow | None:
    """Store a webhook; None when ``most`` exist already."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", _CREATE_LOCK)
        if await conn.fetchval("select count(*) from webhooks") >= most:
            return None
        r = await conn.fetchrow(
            f"""
            insert into webhooks (url, events, secret, created_by) values ($1, $2, $3, $4)
            returning {_COLUMNS}
            """,
            url,
            list(events),
            secret,
            created_by,
        )
    assert r is not None
    return _row(r)


async def delete(conn: Conn, webhook_id: uuid.UUID) -> bool:
    """Delete a webhook and its deliveries; False when there is none."""
    status: str = await conn.execute("delete from webhooks where id = $1", webhook_id)
    return status != "DELETE 0"


async def rotate(conn: Conn, webhook_id: uuid.UUID, secret: str) -> WebhookRow | None:
    """Make ``secret`` the current one and keep the current one as the previous."""
    r = await conn.fetchrow(
        f"""
        update webhooks set previous_secret = secret, secret = $2,
            secret_rotated_at = clock_timestamp()
        where id = $1 returning {_COLUMNS}
        """,
        webhook_id,
        secret,
    )
    return None if r is None else _row(r)


async def retire_previous(conn: Conn, webhook_id: uuid.UUID) -> WebhookRow | None:
    """Stop signing with the previous secret."""
    r = await conn.fetchrow(
        f"update webhooks set previous_secret = null where id = $1 returning {_COLUMNS}",
        webhook_id,
    )
    return None if r is None else _row(r)


async def list_all(conn: Conn) -> list[WebhookRow]:
    """Every webhook, oldest first (there are at most MAX_WEBHOOKS)."""
    records = await conn.fetch(f"select {_COLUMNS} from webhooks order by created_at, id")
    return [_row(r) for r in records]


async def exists(conn: Conn, webhook_id: uuid.UUID) -> bool:
    found = await conn.fetchval("select exists (select from webhooks where id = $1)", webhook_id)
    return bool(found)
