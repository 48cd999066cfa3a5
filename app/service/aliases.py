"""Aliases of a lineage: set, move (compare-and-set) and remove them, each move recorded."""

from __future__ import annotations

from app import ids
from app.db.types import Conn
from app.domain import Artifact
from app.errors import Conflict, InvalidInput, NotFound
from app.repo import aliases as alias_repo
from app.repo import audit as audit_repo
from app.repo import catalog as catalog_repo

MAX_REASON = 1000


def check_known(ref: str) -> None:
    """Raise NotFound naming the alias when ``ref`` is ``lineage@alias`` and names nothing."""
    parsed = ids.parse_ref(ref)
    if parsed is not None and parsed.alias is not None:
        raise NotFound(f"lineage {parsed.id!r} has no alias {parsed.alias!r}", ids=[ref])


def _check(lineage_id: str, alias: str, reason: str) -> None:
    if not ids.possible(lineage_id) or "@" in lineage_id:
        raise NotFound(f"no lineage {lineage_id!r}", ids=[lineage_id])
    ids.check_alias(alias)
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters", field="reason")


def _check_expected(lineage_id: str, alias: str, now: str | None, expected: str | None) -> None:
    if expected is not None and now != expected:
        held = f"points at {now}" if now else "is not set"
        raise Conflict(
            f"alias {alias!r} of {lineage_id!r} {held}, not {expected}: it moved meanwhile",
            alias=alias,
            version_id=now,
        )


async def set_alias(
    conn: Conn,
    lineage_id: str,
    alias: str,
    version_ref: str,
    reason: str,
    expected: str | None,
    actor: str,
) -> Artifact:
    """Point ``lineage_id@alias`` at the version ``version_ref`` names (one of the lineage's);
    with ``expected``, only if the alias points at that version now."""
    _check(lineage_id, alias, reason)
    found = await catalog_repo.by_refs_map(conn, [version_ref])
    if version_ref not in found:
        check_known(version_ref)
        raise NotFound(f"no version {version_ref!r}", ids=[version_ref])
    target = found[version_ref]
    if target.lineage_id != lineage_id:
        raise InvalidInput(
            f"{target.id} is a version of {target.lineage_id!r}, not of {lineage_id!r}",
            field="versionId",
        )
    async with conn.transaction():
        await alias_repo.lock(conn, lineage_id, alias)
        now = await alias_repo.current(conn, lineage_id, alias)
        _check_expected(lineage_id, alias, now, expected)
        if now != target.id:
            await alias_repo.move(conn, actor, lineage_id, alias, now, target.id, reason)
            await audit_repo.record(
                conn,
                actor,
                "set_alias",
                target.id,
                {"alias": alias, "version_id": now},
                {"alias": alias, "version_id": target.id, "reason": reason},
            )
    return target


async def remove_alias(
    conn: Conn, lineage_id: str, alias: str, reason: str, expected: str | None, actor: str
) -> Artifact:
    """Remove ``lineage_id@alias``; the answer is the version it pointed at."""
    _check(lineage_id, alias, reason)
    async with conn.transaction():
        await alias_repo.lock(conn, lineage_id, alias)
        now = await alias_repo.current(conn, lineage_id, alias)
        if now is None:
            raise NotFound(
                f"lineage {lineage_id!r} has no alias {alias!r}", ids=[f"{lineage_id}@{alias}"]
            )
        _check_expected(lineage_id, alias, now, expected)
        await alias_repo.move(conn, actor, lineage_id, alias, now, None, reason)
        await audit_repo.record(
            conn,
            actor,
            "remove_alias",
            now,
            {"alias": alias, "version_id": now},
            {"alias": alias, "version_id": None, "reason": reason},
        )
        found = await catalog_repo.by_refs_map(conn, [now])
    return found[now]
