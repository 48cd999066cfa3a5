"""Archiving, restoring and tagging an existing version, each audited in its transaction.

Archiving an archived version, or restoring one that is not, is a CONFLICT: the caller's
picture of the version is out of date, and a retry of the same write is what idempotency
keys are for. Setting tags adds or overwrites keys; removing a key the version lacks is
NOT_FOUND. Either way nothing is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from app import tags as tag_rules
from app.db.types import Conn
from app.domain import Artifact, Tag, is_archived
from app.errors import Conflict, InvalidInput, NotFound
from app.events import EventName
from app.repo import artifacts as artifact_repo
from app.repo import audit as audit_repo
from app.repo import events as event_repo
from app.repo import lifecycle as lifecycle_repo


def _state(a: Artifact) -> dict[str, Any]:
    return {
        "archived": is_archived(a),
        "archivedReason": a.archived_reason,
        "tags": {t.key: t.value for t in a.tags},
    }


async def _edit(
    conn: Conn,
    ref: str,
    actor: str,
    action: str,
    event: EventName,
    change: Callable[[Artifact], Awaitable[Any]],
) -> Artifact:
    """Lock the version ``ref`` names, apply ``change``, audit it, record ``event`` and
    return the version anew."""
    async with conn.transaction():
        resolved = await artifact_repo.resolve_refs(conn, [ref])
        if ref not in resolved:
            raise NotFound(f"no artifact {ref!r}", ids=[ref])
        a = await artifact_repo.lock_version(conn, resolved[ref].version_id)
        assert a is not None
        extra = await change(a)
        (updated,) = await artifact_repo.get_many(conn, [a.id])
        after = _state(updated) | (extra or {})
        await audit_repo.record(conn, actor, action, a.id, _state(a), after)
        await event_repo.record_versions(conn, event, [a.id], after)
    return updated


async def archive(conn: Conn, ref: str, reason: str, actor: str) -> Artifact:
    """Archive a version; CONFLICT when it is archived already."""
    why = tag_rules.check_reason(reason)

    async def change(a: Artifact) -> dict[str, str]:
        if is_archived(a):
            raise Conflict(f"{a.id} is archived already", field="id")
        await lifecycle_repo.set_archived(conn, a.id, why)
        return {"reason": why}

    return await _edit(conn, ref, actor, "archive", EventName.VERSION_ARCHIVED, change)


async def restore(conn: Conn, ref: str, reason: str, actor: str) -> Artifact:
    """Restore an archived version; CONFLICT when it is not archived."""
    why = tag_rules.check_reason(reason)

    async def change(a: Artifact) -> dict[str, str]:
        if not is_archived(a):
            raise Conflict(f"{a.id} is not archived", field="id")
        await lifecycle_repo.set_archived(conn, a.id, None)
        return {"reason": why}

    return await _edit(conn, ref, actor, "restore", EventName.VERSION_RESTORED, change)


async def set_tags(conn: Conn, ref: str, tags: Sequence[Tag], actor: str) -> Artifact:
    """Add tags or change their values; at most MAX_TAGS in all on the version."""
    wanted = tag_rules.check_tags(tags)

    async def change(a: Artifact) -> None:
        keys = {t.key for t in a.tags} | {t.key for t in wanted}
        if len(keys) > tag_rules.MAX_TAGS:
            raise InvalidInput(f"a version has at most {tag_rules.MAX_TAGS} tags", field="tags")
        await lifecycle_repo.upsert_tags(conn, a.id, wanted)

    return await _edit(conn, ref, actor, "set_tags", EventName.TAGS_CHANGED, change)


async def remove_tags(conn: Conn, ref: str, keys: Sequence[str], actor: str) -> Artifact:
    """Remove tags by key; NOT_FOUND naming the keys the version does not have."""
    wanted = tag_rules.check_keys(keys)

    async def change(a: Artifact) -> None:
        missing = sorted(set(wanted) - {t.key for t in a.tags})
        if missing:
            raise NotFound(f"{a.id} has no tags {missing}", ids=missing)
        await lifecycle_repo.delete_tags(conn, a.id, wanted)

    return await _edit(conn, ref, actor, "remove_tags", EventName.TAGS_CHANGED, change)
