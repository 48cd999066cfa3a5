"""Archive state and tags of a version: the writes that change it after registration."""

from __future__ import annotations

from collections.abc import Sequence

from app.db.types import Conn
from app.domain import Tag


async def set_archived(conn: Conn, version_id: str, reason: str | None) -> None:
    """Archive a version with ``reason``, or restore it when ``reason`` is None."""
    await conn.execute(
        """
        update artifacts set
            archived_at = case when $2::text is null then null else clock_timestamp() end,
            archived_reason = $2::text
        where id = $1
        """,
        version_id,
        reason,
    )


async def upsert_tags(conn: Conn, version_id: str, tags: Sequence[Tag]) -> None:
    """Set each tag's value, adding the keys the version does not have yet."""
    await conn.execute(
        """
        insert into tags (artifact_id, key, value)
        select $1, t.key, t.value from unnest($2::text[], $3::text[]) as t(key, value)
        on conflict (artifact_id, key) do update set value = excluded.value
        """,
        version_id,
        [t.key for t in tags],
        [t.value for t in tags],
    )


async def delete_tags(conn: Conn, version_id: str, keys: Sequence[str]) -> list[str]:
    """Remove tags by key; the keys that were there."""
    records = await conn.fetch(
        "delete from tags where artifact_id = $1 and key = any($2::text[]) returning key",
        version_id,
        list(keys),
    )
    return [r["key"] for r in records]
