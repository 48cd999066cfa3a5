"""Versions by the digest of their bytes (indexed on artifacts.digest and content_digest)."""

from __future__ import annotations

from collections.abc import Sequence

from app.db.types import Conn
from app.domain import Artifact
from app.repo import rows

# (kind, content digest, the version asking, limit, offset, after id): one page of the others.
ContentPage = tuple[str, str, str, int, int, str | None]


async def by_digest(conn: Conn, digest: str, limit: int, offset: int) -> list[Artifact]:
    """One page of the versions with this stored digest, by id."""
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a where a.digest = $1
        order by a.id limit $2 offset $3
        """,
        digest,
        limit,
        offset,
    )
    return [rows.artifact(r) for r in records]


async def content_pages(
    conn: Conn, keys: Sequence[ContentPage], cap: int
) -> list[tuple[int, Artifact]]:
    """Pages of the versions of a kind with a content digest, but the one asking, by id,
    tagged with their key's index: for each key one row past its page when more follow,
    resuming by keyset after an id. At most ``cap`` rows in all."""
    records = await conn.fetch(
        f"""
        select k.i, {rows.ARTIFACT_COLUMNS}
        from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[])
            with ordinality as k(kind, digest, asking, n, skip, after, i)
        cross join lateral (
            select * from artifacts x
            where x.content_digest = k.digest and x.kind = k.kind and x.id <> k.asking
                and x.id > coalesce(k.after, '')
            order by x.id limit k.n + 1 offset k.skip
        ) a
        order by k.i, a.id limit $7
        """,
        *rows.columns(keys, 6),
        cap,
    )
    return [(r["i"] - 1, rows.artifact(r)) for r in records]


async def content_counts(conn: Conn, keys: Sequence[tuple[str, str]]) -> list[int]:
    """How many versions of each kind hold each content digest."""
    records = await conn.fetch(
        """
        select k.i, (select count(*) from artifacts x
                     where x.content_digest = k.digest and x.kind = k.kind) as n
        from unnest($1::text[], $2::text[]) with ordinality as k(kind, digest, i)
        order by k.i
        """,
        *rows.columns(keys, 2),
    )
    return [r["n"] for r in records]
