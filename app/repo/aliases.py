"""Aliases of lineages and their moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.types import Conn
from app.repo import rows


@dataclass(frozen=True)
class AliasMove:
    id: int  # in the order of the moves
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
    forced: bool = False,
) -> None:
    """Point the alias at ``to_version_id`` (None: remove it) and record the move
    (``forced``: an admin moved a protected alias past its gate)."""
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
        insert into alias_moves (
            actor, lineage_id, alias, from_version_id, to_version_id, reason, forced)
        values ($1, $2, $3, $4, $5, $6, $7)
        """,
        actor,
        lineage_id,
        alias,
        from_version_id,
        to_version_id,
        reason,
        forced,
    )


# (lineage id, limit, offset, after move id): one page of a lineage's alias moves.
MovePage = tuple[str, int, int, int | None]


async def moves(conn: Conn, keys: Sequence[MovePage]) -> list[tuple[int, AliasMove]]:
    """Pages of the alias moves of lineages, newest first, tagged with their key's index:
    for each key one row past its page when more follow, resuming by keyset after a move."""
    # Before the largest bigint is from the start: one range on the (lineage_id, id) index.
    records = await conn.fetch(
        """
        select k.i, m.* from unnest($1::text[], $2::int[], $3::int[], $4::int8[])
            with ordinality as k(lineage, n, skip, after, i)
        cross join lateral (
            select * from alias_moves
            where lineage_id = k.lineage and id < coalesce(k.after, 9223372036854775807)
            order by id desc limit k.n + 1 offset k.skip
        ) m
        order by k.i, m.id desc
        """,
        *rows.columns(keys, 4),
    )
    return [
        (
            r["i"] - 1,
            AliasMove(
                r["id"],
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


async def protection(conn: Conn, lineage_id: str, alias: str) -> list[dict[str, Any]] | None:
    """The gate of the alias when it is protected (for its lineage, else for every lineage)."""
    gate: list[dict[str, Any]] | None = await conn.fetchval(
        """
        select gate from alias_protections where alias = $2 and lineage_id in ($1, '*')
        order by lineage_id = '*' limit 1
        """,
        lineage_id,
        alias,
    )
    return gate


async def protect(
    conn: Conn, lineage_id: str, alias: str, gate: list[dict[str, Any]], actor: str
) -> None:
    await conn.execute(
        """
        insert into alias_protections (lineage_id, alias, gate, actor) values ($1, $2, $3, $4)
        on conflict (lineage_id, alias)
        do update set gate = excluded.gate, actor = excluded.actor, at = clock_timestamp()
        """,
        lineage_id,
        alias,
        gate,
        actor,
    )


async def unprotect(conn: Conn, lineage_id: str, alias: str) -> bool:
    done: str = await conn.execute(
        "delete from alias_protections where lineage_id = $1 and alias = $2", lineage_id, alias
    )
    return done != "DELETE 0"


async def protections(
    conn: Conn, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The gates of the protected ones among (lineage id, alias) pairs."""
    records = await conn.fetch(
        """
        select distinct on (k.lineage, k.alias) k.lineage, k.alias, p.gate
        from unnest($1::text[], $2::text[]) as k(lineage, alias)
        join alias_protections p on p.alias = k.alias and p.lineage_id in (k.lineage, '*')
        order by k.lineage, k.alias, p.lineage_id = '*'
        """,
        *rows.columns(keys, 2),
    )
    return {(r["lineage"], r["alias"]): r["gate"] for r in records}


async def count_of_lineage(conn: Conn, lineage_id: str) -> int:
    found: int = await conn.fetchval(
        "select count(*) from aliases where lineage_id = $1", lineage_id
    )
    return found


async def of_lineage(conn: Conn, lineage_id: str) -> list[tuple[str, str]]:
    """(alias, version id) of every alias of a lineage, by name."""
    records = await conn.fetch(
        'select alias, version_id from aliases where lineage_id = $1 order by alias collate "C"',
        lineage_id,
    )
    return [(r["alias"], r["version_id"]) for r in records]
