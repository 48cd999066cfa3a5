"""The outbox: events recorded inside the writes' transactions, and read back in id order.

Ids are given at commit (see migration 0015), so a reader that has seen an id has seen every
event with a smaller one; ``after`` is therefore a gapless resume point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from app.db.types import Conn
from app.events import Event, EventName

# The channel the outbox's commit trigger notifies; listeners then read the table.
CHANNEL = "registry_events"

_VERSION_PAYLOAD = """
    jsonb_build_object(
        'id', a.id, 'lineageId', a.lineage_id, 'kind', a.kind, 'version', a.version_number
    )
"""


async def record(conn: Conn, name: EventName, payload: dict[str, Any]) -> None:
    """Record one event; call it inside the write's transaction."""
    await conn.execute("insert into events (name, payload) values ($1, $2)", name.value, payload)


async def record_versions(
    conn: Conn, name: EventName, version_ids: Sequence[str], extra: dict[str, Any]
) -> None:
    """One event per version, each carrying its ids and ``extra``."""
    await conn.execute(
        f"""
        insert into events (name, payload)
        select $1, {_VERSION_PAYLOAD} || $3::jsonb
        from artifacts a where a.id = any($2::text[]) order by a.id
        """,
        name.value,
        list(version_ids),
        extra,
    )


async def record_provenance_changed(
    conn: Conn, changed: Sequence[str], cause: dict[str, Any], *, include_changed: bool
) -> None:
    """``provenance.changed`` for the versions whose provenance reads ``changed``.

    Those are the versions linking to one of them: pinned to it, or floating to its lineage
    while it is the latest. With ``include_changed`` the changed versions themselves too (their
    own links changed). Rescored models are among the readers, so they are covered.
    """
    await conn.execute(
        f"""
        with changed as (select unnest($1::text[]) as id),
        readers as (
            select id from changed where $3
            union
            select l.source_id from links l join changed c on l.target_version_id = c.id
            union
            select l.source_id
            from changed c
            join artifacts t on t.id = c.id and t.is_latest
            join links l on l.target_lineage_id = t.lineage_id and l.target_version_id is null
        )
        insert into events (name, payload)
        select $2, {_VERSION_PAYLOAD} || jsonb_build_object('cause', $4::jsonb)
        from artifacts a join readers r on r.id = a.id order by a.id
        """,
        list(changed),
        EventName.PROVENANCE_CHANGED.value,
        include_changed,
        cause,
    )


def _event(r: asyncpg.Record) -> Event:
    return Event(r["id"], r["at"], EventName(r["name"]), r["payload"])


async def after(conn: Conn, after_id: int, names: Sequence[EventName], limit: int) -> list[Event]:
    """Up to ``limit`` events with an id past ``after_id``, oldest first; all names when empty."""
    records = await conn.fetch(
        """
        select id, at, name, payload from events
        where id > $1 and (cardinality($2::text[]) = 0 or name = any($2::text[]))
        order by id limit $3
        """,
        after_id,
        [n.value for n in names],
        limit,
    )
    return [_event(r) for r in records]


async def positions(conn: Conn) -> tuple[int, int]:
    """The last event id given, and the id through which retention has deleted events."""
    r = await conn.fetchrow(
        "select coalesce((select max(id) from events), 0) as last, pruned_through from events_clock"
    )
    assert r is not None
    return max(r["last"], r["pruned_through"]), r["pruned_through"]


async def prune(conn: Conn, retention_days: float) -> int:
    """Delete events older than the retention; the number deleted."""
    async with conn.transaction():
        gone = await conn.fetchval(
            """
            with gone as (
                delete from events where at < now() - make_interval(secs => $1 * 86400)
                returning id
            )
            update events_clock set pruned_through = greatest(
                pruned_through, coalesce((select max(id) from gone), 0)
            )
            returning (select count(*) from gone)
            """,
            retention_days,
        )
    return int(gone)
