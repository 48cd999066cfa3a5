"""Versions by the digest of their bytes (indexed on artifacts.digest)."""

from __future__ import annotations

from collections.abc import Sequence

from app.db.types import Conn
from app.domain import Artifact
from app.repo import rows


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


async def sharing_digest(
    conn: Conn, kind: str, digests: Sequence[str], limit: int
) -> list[Artifact]:
    """Versions of ``kind`` holding any of these digests: at most ``limit`` per digest."""
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from unnest($1::text[]) as d(digest)
        cross join lateral (
            select * from artifacts x where x.digest = d.digest and x.kind = $2
            order by x.id limit $3
        ) a
        """,
        list(set(digests)),
        kind,
        limit,
    )
    return [rows.artifact(r) for r in records]
