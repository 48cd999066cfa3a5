"""Aliases of a lineage: set, move (compare-and-set) and remove them, each move recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app import ids, promotion
from app.db.types import Conn
from app.domain import Artifact, is_archived
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, PromotionRefused
from app.events import EventName
from app.repo import aliases as alias_repo
from app.repo import audit as audit_repo
from app.repo import catalog as catalog_repo
from app.repo import events as event_repo
from app.repo import metric_declarations as declaration_repo

MAX_REASON = 1000
MAX_ALIASES = 100  # per lineage


def check_known(ref: str) -> None:
    """Raise NotFound naming the alias when ``ref`` is ``lineage@alias`` and names nothing."""
    parsed = ids.parse_ref(ref)
    if parsed is not None and parsed.alias is not None:
        raise NotFound(f"lineage {parsed.id!r} has no alias {parsed.alias!r}", ids=[ref])


def _check(lineage_id: str, alias: str, reason: str) -> None:
    if not ids.possible(lineage_id):
        raise NotFound(f"no lineage {lineage_id!r}", ids=[lineage_id])
    ids.check_alias(alias)
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters", field="reason")
    if "\x00" in reason:
        raise InvalidInput("reason must not contain NUL characters", field="reason")


def _check_expected(lineage_id: str, alias: str, now: str | None, expected: str | None) -> None:
    if expected is not None and now != expected:
        held = f"points at {now}" if now else "is not set"
        raise Conflict(
            f"alias {alias!r} of {lineage_id!r} {held}, not {expected}: it moved meanwhile",
            alias=alias,
            version_id=now,
        )


@dataclass(frozen=True)
class Mover:
    """Who moves an alias: their name, and whether they may move protected aliases (the
    promote scope) and force one past its gate (admin)."""

    actor: str
    may_promote: bool = False
    may_force: bool = False


async def _gate(
    conn: Conn,
    mover: Mover,
    lineage_id: str,
    alias: str,
    now: str | None,
    target: Artifact,
    force: bool,
    reason: str,
) -> bool:
    """Pass the alias's gate when it is protected; True when the move is forced past it."""
    raw = await alias_repo.protection(conn, lineage_id, alias)
    if raw is None:
        if force:
            raise InvalidInput(f"alias {alias!r} is not protected: nothing to force", field="force")
        return False
    if not mover.may_promote:
        raise Forbidden(f"moving the protected alias {alias!r} needs the promote scope")
    held = (await catalog_repo.by_refs_map(conn, [now])).get(now) if now else None
    gate = promotion.gate_from_json(raw)
    declared = await declaration_repo.directions(conn, [g.metric for g in gate])
    failed = promotion.failed_checks(target, held, gate, is_archived(target), declared)
    if not failed:
        return False
    if not force:
        raise PromotionRefused(
            f"the gate of {lineage_id}@{alias} refuses {target.id}: "
            + "; ".join(c.message for c in failed),
            checks=[c.as_json() for c in failed],
        )
    if not mover.may_force:
        raise Forbidden("forcing a move past a gate needs the admin scope")
    if not reason.strip():
        raise InvalidInput("a forced move needs a reason", field="reason")
    return True


async def _moved(
    conn: Conn, lineage_id: str, alias: str, was: str | None, now: str | None, reason: str
) -> None:
    payload = {"lineageId": lineage_id, "alias": alias, "from": was, "to": now, "reason": reason}
    await event_repo.record(conn, EventName.ALIAS_MOVED, payload)


async def set_alias(
    conn: Conn,
    lineage_id: str,
    alias: str,
    version_ref: str,
    reason: str,
    expected: str | None,
    mover: Mover,
    force: bool = False,
) -> Artifact:
    """Point ``lineage_id@alias`` at the version ``version_ref`` names (one of the lineage's);
    with ``expected``, only if the alias points at that version now. A protected alias moves
    only past its gate (app.promotion), or forced by an admin with a reason."""
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
        if now is None and await alias_repo.count_of_lineage(conn, lineage_id) >= MAX_ALIASES:
            raise InvalidInput(f"a lineage has at most {MAX_ALIASES} aliases", field="alias")
        forced = await _gate(conn, mover, lineage_id, alias, now, target, force, reason)
        if now != target.id:
            await alias_repo.move(
                conn, mover.actor, lineage_id, alias, now, target.id, reason, forced
            )
            await audit_repo.record(
                conn,
                mover.actor,
                "set_alias",
                target.id,
                {"alias": alias, "version_id": now},
                {"alias": alias, "version_id": target.id, "reason": reason, "forced": forced},
            )
            await _moved(conn, lineage_id, alias, now, target.id, reason)
    return target


async def remove_alias(
    conn: Conn, lineage_id: str, alias: str, reason: str, expected: str | None, mover: Mover
) -> Artifact:
    """Remove ``lineage_id@alias``; the answer is the version it pointed at. A protected
    alias needs the promote scope."""
    _check(lineage_id, alias, reason)
    actor = mover.actor
    async with conn.transaction():
        await alias_repo.lock(conn, lineage_id, alias)
        now = await alias_repo.current(conn, lineage_id, alias)
        if now is None:
            raise NotFound(
                f"lineage {lineage_id!r} has no alias {alias!r}", ids=[f"{lineage_id}@{alias}"]
            )
        _check_expected(lineage_id, alias, now, expected)
        if (
            not mover.may_promote
            and await alias_repo.protection(conn, lineage_id, alias) is not None
        ):
            raise Forbidden(f"removing the protected alias {alias!r} needs the promote scope")
        await alias_repo.move(conn, actor, lineage_id, alias, now, None, reason)
        await audit_repo.record(
            conn,
            actor,
            "remove_alias",
            now,
            {"alias": alias, "version_id": now},
            {"alias": alias, "version_id": None, "reason": reason},
        )
        await _moved(conn, lineage_id, alias, now, None, reason)
        found = await catalog_repo.by_refs_map(conn, [now])
    return found[now]


async def protect(
    conn: Conn, lineage_id: str, alias: str, gate: list[promotion.GateMetric], actor: str
) -> None:
    """Protect ``alias`` of one lineage (or of every lineage: ``*``) with ``gate``."""
    if lineage_id != "*":
        _check(lineage_id, alias, "")
    else:
        ids.check_alias(alias)
    promotion.check_gate(gate)
    await alias_repo.protect(conn, lineage_id, alias, [g.as_json() for g in gate], actor)


async def unprotect(conn: Conn, lineage_id: str, alias: str) -> None:
    if lineage_id != "*":
        _check(lineage_id, alias, "")
    else:
        ids.check_alias(alias)
    if not await alias_repo.unprotect(conn, lineage_id, alias):
        raise NotFound(f"{lineage_id}@{alias} is not protected", ids=[f"{lineage_id}@{alias}"])


def gate_state(
    target: Artifact, raw_gate: list[dict[str, Any]], declared: dict[str, str]
) -> list[promotion.Check]:
    """What the gate of a protected alias says of the version it holds now: provenance that
    curation made incomplete since, archiving, thresholds (no improvement to check)."""
    gate = promotion.gate_from_json(raw_gate)
    return promotion.failed_checks(target, None, gate, is_archived(target), declared)


@dataclass(frozen=True)
class AliasState:
    alias: str
    version: Artifact
    gate: list[promotion.GateMetric] | None  # None: not protected
    checks: list[promotion.Check]


async def of_lineage(conn: Conn, lineage_id: str) -> list[AliasState]:
    """Every alias of a lineage with the version it holds and, when protected, what its gate
    says of that version now: four statements at the most."""
    if not ids.possible(lineage_id):
        return []
    held = await alias_repo.of_lineage(conn, lineage_id)
    gates = await alias_repo.protections(conn, [(lineage_id, a) for a, _ in held])
    versions = await catalog_repo.by_refs_map(conn, [v for _, v in held]) if held else {}
    gated = {g["metric"] for raw in gates.values() for g in raw}
    declared = await declaration_repo.directions(conn, sorted(gated)) if gated else {}
    states = []
    for alias, version_id in held:
        raw = gates.get((lineage_id, alias))
        target = versions[version_id]
        states.append(
            AliasState(
                alias,
                target,
                None if raw is None else promotion.gate_from_json(raw),
                [] if raw is None else gate_state(target, raw, declared),
            )
        )
    return states
