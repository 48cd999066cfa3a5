"""Webhook deliveries: claimed under a lease, settled by the attempt's outcome, listed as a log.

A delivery is claimed with ``for update skip locked``, so workers in any number of processes
take distinct ones, and leased: while it is delivering, ``next_attempt_at`` is the lease's
end, after which any worker claims it again (the first one crashed, or hangs). A worker
settles a delivery only while it still holds the claim it made (the attempt number).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from app.db.types import Conn


@dataclass(frozen=True)
class Claimed:
    """A delivery to attempt now, with what it sends and the secrets it is signed with."""

    id: uuid.UUID
    attempt: int
    url: str
    secrets: tuple[str, ...]
    event_id: int
    event_name: str
    event_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class DeliveryRow:
    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: int
    event_name: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None


async def claim(conn: Conn, limit: int, lease_s: float) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries, oldest due first."""
    records = await conn.fetch(
        """
        with due as (
            select id from webhook_deliveries
            where status in ('pending', 'delivering') and next_attempt_at <= clock_timestamp()
            order by next_attempt_at
            limit $1
            for update skip locked
        )
        update webhook_deliveries d
        set status = 'delivering', attempts = d.attempts + 1,
            lease_until = clock_timestamp() + make_interval(secs => $2),
            next_attempt_at = clock_timestamp() + make_interval(secs => $2),
            last_attempt_at = clock_timestamp()
        from due, webhooks w, events e
        where d.id = due.id and w.id = d.webhook_id and e.id = d.event_id
        returning d.id, d.attempts, w.url, w.secret, w.previous_secret,
            e.id as event_id, e.name, e.at, e.payload
        """,
        limit,
        lease_s,
    )
    return [
        Claimed(
            r["id"],
            r["attempts"],
            r["url"],
            tuple(s for s in (r["secret"], r["previous_secret"]) if s is not None),
            r["event_id"],
            r["name"],
            r["at"],
            r["payload"],
        )
        for r in records
    ]


async def settle(
    conn: Conn,
    claimed: Claimed,
    status: str,
    status_code: int | None,
    error: str | None,
    retry_in_s: float = 0.0,
) -> bool:
    """Record an attempt's outcome: ``delivered``, ``failed``, or ``pending`` again after
    ``retry_in_s``. False when the claim was lost (its lease expired and another took it)."""
    done: str = await conn.execute(
        """
        update webhook_deliveries set
            status = $3, last_status_code = $4, last_error = $5, lease_until = null,
            next_attempt_at = clock_timestamp() + make_interval(secs => $6),
            delivered_at = case when $3 = 'delivered' then clock_timestamp() else delivered_at end
        where id = $1 and attempts = $2 and status = 'delivering'
        """,
        claimed.id,
        claimed.attempt,
        status,
        status_code,
        error,
        retry_in_s,
    )
    return done != "UPDATE 0"


async def release(conn: Conn, claimed: Sequence[Claimed]) -> None:
    """Give back claims not attempted to the end (the worker is stopping): due at once, and
    the interrupted attempt not counted."""
    await conn.execute(
        """
        update webhook_deliveries d set
            status = 'pending', attempts = d.attempts - 1, lease_until = null,
            next_attempt_at = clock_timestamp()
        from unnest($1::uuid[], $2::int[]) as c(id, attempt)
        where d.id = c.id and d.attempts = c.attempt and d.status = 'delivering'
        """,
        [c.id for c in claimed],
        [c.attempt for c in claimed],
    )


async def redeliver(conn: Conn, delivery_id: uuid.UUID) -> str | None:
    """Make a settled delivery due again, with its attempts reset; its status before (the
    unchanged status of one still pending or delivering), None when there is none."""
    r = await conn.fetchrow(
        """
        with found as (select id, status from webhook_deliveries where id = $1 for update),
        reset as (
            update webhook_deliveries d set
                status = 'pending', attempts = 0, lease_until = null, last_error = null,
                next_attempt_at = clock_timestamp()
            from found where d.id = found.id and found.status in ('delivered', 'failed')
        )
        select status from found
        """,
        delivery_id,
    )
    return None if r is None else str(r["status"])


_LOG_COLUMNS = """
    d.id, d.webhook_id, d.event_id, e.name, d.status, d.attempts, d.last_status_code,
    d.last_error, d.created_at, d.last_attempt_at, d.delivered_at,
    case when d.status in ('pending', 'delivering') then d.next_attempt_at end as next_attempt_at
"""


def _delivery(r: asyncpg.Record) -> DeliveryRow:
    return DeliveryRow(
        r["id"],
        r["webhook_id"],
        r["event_id"],
        r["name"],
        r["status"],
        r["attempts"],
        r["last_status_code"],
        r["last_error"],
        r["created_at"],
        r["next_attempt_at"],
        r["last_attempt_at"],
        r["delivered_at"],
    )


async def one(conn: Conn, delivery_id: uuid.UUID) -> DeliveryRow | None:
    r = await conn.fetchrow(
        f"""
        select {_LOG_COLUMNS} from webhook_deliveries d join events e on e.id = d.event_id
        where d.id = $1
        """,
        delivery_id,
    )
    return None if r is None else _delivery(r)


async def page(
    conn: Conn, webhook_id: uuid.UUID, status: str | None, before_event: int | None, limit: int
) -> list[DeliveryRow]:
    """A webhook's deliveries, newest event first, from before ``before_event``."""
    records = await conn.fetch(
        f"""
        select {_LOG_COLUMNS} from webhook_deliveries d join events e on e.id = d.event_id
        where d.webhook_id = $1 and ($2::text is null or d.status = $2)
            and ($3::bigint is null or d.event_id < $3)
        order by d.event_id desc limit $4
        """,
        webhook_id,
        status,
        before_event,
        limit,
    )
    return [_delivery(r) for r in records]
