"""Typed links between artifact versions."""

from __future__ import annotations

from collections.abc import Sequence

from app import reach
from app.db.types import Conn
from app.domain import Artifact, Kind, Link, LinkType
from app.repo import rows

# (version id, link type, source kind, limit, offset, after source id): one page of the
# versions of that kind whose links of that type reach the version.
SourcePage = tuple[str, str, str, int, int, str | None]
# The links that reach version t.
_REACHING_T = reach.sql("l", "t")
# (source id, link type or None for every type, limit, offset, after (type, target lineage)):
# one page of a version's own links, after a cursor.
OwnPage = tuple[str, str | None, int, int, tuple[str, str]]


async def insert_many(
    conn: Conn, source_kind: Kind, links: Sequence[Link], *, replace: bool = False
) -> None:
    """Store links leaving versions of ``source_kind``.

    With ``replace``, a link of the same type to the same lineage is replaced (e.g. pinned).
    """
    if not links:
        return
    on_conflict = (
        "on conflict (source_id, type, target_lineage_id) "
        "do update set target_version_id = excluded.target_version_id"
        if replace
        else ""
    )
    await conn.execute(
        f"""
        insert into links (
            source_id, source_kind, type, target_lineage_id, target_kind, target_version_id)
        select s, $2, t, tl, tk, tv
        from unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            as x(s, t, tl, tk, tv)
        {on_conflict}
        """,
        [link.source_id for link in links],
        source_kind.value,
        [link.type.value for link in links],
        [link.target_lineage_id for link in links],
        [link.target_kind.value for link in links],
        [link.target_version_id for link in links],
    )


async def from_sources(
    conn: Conn, source_ids: Sequence[str], types: Sequence[LinkType] | None = None
) -> list[Link]:
    """Links leaving the given versions, optionally only of some types."""
    type_values = [t.value for t in types] if types is not None else None
    records = await conn.fetch(
        f"""
        select {rows.LINK_COLUMNS} from links l
        where l.source_id = any($1::text[]) and ($2::text[] is null or l.type = any($2::text[]))
        order by l.source_id, l.type, l.target_lineage_id
        """,
        list(source_ids),
        type_values,
    )
    return [rows.link(r) for r in records]


async def source_pages(
    conn: Conn, keys: Sequence[SourcePage], cap: int
) -> list[tuple[int, Artifact]]:
    """Pages of the versions of a kind whose links of a type reach a version, by id, tagged
    with their key's index: for each key one row past its page when more follow, resuming by
    keyset after a source id.

    At most ``cap`` rows in all: the caller counts them against what it may return.
    """
    # Every id sorts after '': the condition stays a range on the index's source_id.
    records = await conn.fetch(
        f"""
        select k.i, {rows.ARTIFACT_COLUMNS}
        from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[])
            with ordinality as k(id, type, kind, n, skip, after, i)
        join artifacts t on t.id = k.id
        cross join lateral (
            select l.source_id from links l
            where l.type = k.type and l.source_kind = k.kind and {_REACHING_T}
                and l.source_id > coalesce(k.after, '')
            order by l.source_id limit k.n + 1 offset k.skip
        ) s
        join artifacts a on a.id = s.source_id
        order by k.i, a.id limit $7
        """,
        *rows.columns(keys, 6),
        cap,
    )
    return [(r["i"] - 1, rows.artifact(r)) for r in records]


async def own_pages(conn: Conn, keys: Sequence[OwnPage]) -> list[tuple[int, Link]]:
    """Pages of the links leaving versions, by type and target lineage, each resuming after
    a (type, target lineage) by keyset, tagged with their key's index: for each key one row
    past its page when more follow. Compared in SQL, in the order the list is read in."""
    records = await conn.fetch(
        f"""
        select k.i, {rows.LINK_COLUMNS}
        from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[])
            with ordinality as k(source, type, n, skip, after_type, after_lineage, i)
        cross join lateral (
            select * from links x
            where x.source_id = k.source and (k.type is null or x.type = k.type)
                and (x.type, x.target_lineage_id) > (k.after_type, k.after_lineage)
            order by x.type, x.target_lineage_id limit k.n + 1 offset k.skip
        ) l
        order by k.i, l.type, l.target_lineage_id
        """,
        *rows.columns(keys, 4),
        [k[4][0] for k in keys],
        [k[4][1] for k in keys],
    )
    return [(r["i"] - 1, rows.link(r)) for r in records]


async def sources_floating_on(conn: Conn, lineage_id: str, link_type: LinkType) -> list[str]:
    """Versions whose ``link_type`` link floats to the latest version of ``lineage_id``."""
    records = await conn.fetch(
        """
        select source_id from links
        where target_lineage_id = $1 and type = $2 and target_version_id is null
        """,
        lineage_id,
        link_type.value,
    )
    return [r["source_id"] for r in records]


async def delete(conn: Conn, source_id: str, link_type: LinkType, target_lineage_id: str) -> bool:
    """Remove one link; False when there was none."""
    status: str = await conn.execute(
        "delete from links where source_id = $1 and type = $2 and target_lineage_id = $3",
        source_id,
        link_type.value,
        target_lineage_id,
    )
    return status != "DELETE 0"
