"""Aliases of lineages and their moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.db.types import Conn


@dataclass(frozen=True)
class AliasMove:
    at: datetime
    actor: str
    lineage_id: str
    alias: str
    from_version_id: str | None
    to_version_id: str | None
    reason: str


async def lock(conn: Conn, lineage_id: str, alias: str) -> None:
    """Serialise the moves of one alias until the transaction ends (also its first setting,
    when there is no row to lock yet)."""
    await conn.execute(
        "select pg_advisory_xact_lock(hashtextextended('alias:' || $1 || '@' || $2, 0))",
        lineage_id,
        alias,
    )


async def current(conn: Conn, lineage_id: str, alias: str) -> str | None:
    """The version the alias points at now, if it is set."""
    found: str | None = await conn.fetchval(
        "select version_id from aliases where lineage_id = $1 and alias = $2", lineage_id, alias
    )
    return found


async def move(
    conn: Conn,
    actor: str,
    lineage_id: str,
    alias: str,
    from_version_id: str | None,
    to_version_id: str | None,
    reason: str,
) -> None:
    """Point the alias at ``to_version_id`` (None: remove it) and record the move."""
    if to_version_id is None:
        await conn.execute(
            "delete from aliases where lineage_id = $1 and alias = $2", lineage_id, alias
        )
    else:
        await conn.execute(
            """
            insert into aliases (lineage_id, alias, version_id) values ($1, $2, $3)
            on conflict (lineage_id, alias)
            do update set version_id = excluded.version_id, moved_at = clock_timestamp()
            """,
            lineage_id,
            alias,
            to_version_id,
        )
    await conn.execute(
        """
        insert into alias_moves (actor, lineage_id, alias, from_version_id, to_version_id, reason)
        values ($1, $2, $3, $4, $5, $6)
        """,
        actor,
        lineage_id,
        alias,
        from_version_id,
        to_version_id,
        reason,
    )


async def of_versions(conn: Conn, version_ids: Sequence[str]) -> dict[str, list[str]]:
    """The aliases pointing at each version, by name."""
    records = await conn.fetch(
        "select version_id, alias from aliases where version_id = any($1::text[]) "
        'order by alias collate "C"',
        list(version_ids),
    )
    found: dict[str, list[str]] = {}
    for r in records:
        found.setdefault(r["version_id"], []).append(r["alias"])
    return found


async def moves(conn: Conn, keys: Sequence[tuple[str, int, int]]) -> list[tuple[int, AliasMove]]:
    """Pages of the alias moves of lineages, newest first, tagged with their key's index."""
    records = await conn.fetch(
        """
        select k.i, m.* from unnest($1::text[], $2::int[], $3::int[])
            with ordinality as k(lineage, n, skip, i)
        cross join lateral (
            select * from alias_moves where lineage_id = k.lineage
            order by id desc limit k.n offset k.skip
        ) m
        order by k.i, m.id desc
        """,
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
    )
    return [
        (
            r["i"] - 1,
            AliasMove(
                r["at"],
                r["actor"],
                r["lineage_id"],
                r["alias"],
                r["from_version_id"],
                r["to_version_id"],
                r["reason"],
            ),
        )
        for r in records
    ]


async def move_counts(conn: Conn, lineage_ids: Sequence[str]) -> dict[str, int]:
    """How many alias moves each lineage has had."""
    records = await conn.fetch(
        "select lineage_id, count(*) as n from alias_moves where lineage_id = any($1::text[]) "
        "group by lineage_id",
        list(lineage_ids),
    )
    return {r["lineage_id"]: r["n"] for r in records}
