"""Write use cases as every surface calls them: authorised, idempotent, audited."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from app import auth, paging
from app.auth import Principal, Scope
from app.db.database import Database
from app.db.types import Conn
from app.domain import Artifact, LinkSpec, LinkType, NewArtifact, Tag
from app.promotion import GateMetric
from app.repo import artifacts as artifact_repo
from app.repo import audit as audit_repo
from app.repo.audit import AuditEntry
from app.service import aliases, curate, idempotency, lifecycle, tokens
from app.service.register import register
from app.service.tokens import CreatedToken


def _actor(principal: Principal) -> str:
    assert principal.name is not None
    return principal.name


Write = Callable[[Conn, str], Awaitable[Artifact]]


async def _idempotent(
    db: Database,
    principal: Principal,
    key: str | None,
    operation: str,
    payload: Any,
    write: Write,
) -> Artifact:
    """Authorise, then run ``write`` once per idempotency key and return the artifact."""
    auth.require(principal, Scope.WRITE)
    actor = _actor(principal)

    async def attempt(conn: Conn) -> Artifact:
        async def run() -> str:
            return (await write(conn, actor)).id

        artifact_id = await idempotency.once(
            conn, actor=actor, key=key, operation=operation, payload=payload, write=run
        )
        (artifact,) = await artifact_repo.get_many(conn, [artifact_id])
        return artifact

    # The key makes a retry after a lost connection safe: it returns the first result.
    return await db.write(attempt, retry=key is not None)


async def register_artifact(
    db: Database, principal: Principal, new: NewArtifact, key: str | None
) -> Artifact:
    """Register a new version; a repeated idempotency key returns the first result."""
    return await _idempotent(
        db,
        principal,
        key,
        f"register:{new.kind.value}",
        dataclasses.asdict(new),
        lambda conn, actor: register(conn, new, actor),
    )


async def add_links(
    db: Database, principal: Principal, ref: str, specs: Sequence[LinkSpec], key: str | None
) -> Artifact:
    """Add links to a version (or replace one to the same lineage)."""
    return await _idempotent(
        db,
        principal,
        key,
        "add_links",
        [ref, [dataclasses.asdict(s) for s in specs]],
        lambda conn, actor: curate.add_links(conn, ref, specs, actor),
    )


async def remove_links(
    db: Database,
    principal: Principal,
    ref: str,
    targets: Sequence[tuple[LinkType, str]],
    key: str | None,
) -> Artifact:
    """Remove links of a version."""
    return await _idempotent(
        db,
        principal,
        key,
        "remove_links",
        [ref, [[t.value, target] for t, target in targets]],
        lambda conn, actor: curate.remove_links(conn, ref, targets, actor),
    )


async def archive_version(
    db: Database, principal: Principal, ref: str, reason: str, key: str | None
) -> Artifact:
    """Archive a version: it leaves latest-only lists but stays readable by id."""
    return await _idempotent(
        db,
        principal,
        key,
        "archive",
        [ref, reason],
        lambda conn, actor: lifecycle.archive(conn, ref, reason, actor),
    )


async def restore_version(
    db: Database, principal: Principal, ref: str, reason: str, key: str | None
) -> Artifact:
    """Restore an archived version."""
    return await _idempotent(
        db,
        principal,
        key,
        "restore",
        [ref, reason],
        lambda conn, actor: lifecycle.restore(conn, ref, reason, actor),
    )


async def set_tags(
    db: Database, principal: Principal, ref: str, tags: Sequence[Tag], key: str | None
) -> Artifact:
    """Add tags to a version or change their values."""
    return await _idempotent(
        db,
        principal,
        key,
        "set_tags",
        [ref, [[t.key, t.value] for t in tags]],
        lambda conn, actor: lifecycle.set_tags(conn, ref, tags, actor),
    )


async def remove_tags(
    db: Database, principal: Principal, ref: str, keys: Sequence[str], key: str | None
) -> Artifact:
    """Remove tags of a version by key."""
    return await _idempotent(
        db,
        principal,
        key,
        "remove_tags",
        [ref, list(keys)],
        lambda conn, actor: lifecycle.remove_tags(conn, ref, keys, actor),
    )


async def set_alias(
    db: Database,
    principal: Principal,
    lineage_id: str,
    alias: str,
    version_ref: str,
    reason: str,
    expected: str | None,
    key: str | None,
    force: bool = False,
) -> Artifact:
    """Point an alias of a lineage at one of its versions (compare-and-set with ``expected``;
    a protected alias past its gate, or ``force``d by an admin)."""
    return await _idempotent(
        db,
        principal,
        key,
        "set_alias",
        [lineage_id, alias, version_ref, reason, expected, force],
        lambda conn, actor: aliases.set_alias(
            conn, lineage_id, alias, version_ref, reason, expected, _mover(principal), force
        ),
    )


def _mover(principal: Principal) -> aliases.Mover:
    return aliases.Mover(
        _actor(principal), principal.grants(Scope.PROMOTE), principal.grants(Scope.ADMIN)
    )


async def protect_alias(
    db: Database,
    principal: Principal,
    lineage_id: str,
    alias: str,
    gate: list[GateMetric],
) -> None:
    """Protect an alias (admin only): moving it needs the promote scope and passes ``gate``."""
    auth.require(principal, Scope.ADMIN)
    await db.write(
        lambda conn: aliases.protect(conn, lineage_id, alias, gate, _actor(principal)),
        retry=False,
    )


async def unprotect_alias(db: Database, principal: Principal, lineage_id: str, alias: str) -> None:
    auth.require(principal, Scope.ADMIN)
    await db.write(lambda conn: aliases.unprotect(conn, lineage_id, alias), retry=False)


async def remove_alias(
    db: Database,
    principal: Principal,
    lineage_id: str,
    alias: str,
    reason: str,
    expected: str | None,
    key: str | None,
) -> Artifact:
    """Remove an alias of a lineage; the answer is the version it pointed at."""
    return await _idempotent(
        db,
        principal,
        key,
        "remove_alias",
        [lineage_id, alias, reason, expected],
        lambda conn, actor: aliases.remove_alias(
            conn, lineage_id, alias, reason, expected, _mover(principal)
        ),
    )


async def create_token(
    db: Database, principal: Principal, name: str, scopes: Sequence[str]
) -> CreatedToken:
    """Create an API token (admin only)."""
    auth.require(principal, Scope.ADMIN)
    return await db.write(lambda conn: tokens.create(conn, name, scopes), retry=False)


async def revoke_token(db: Database, principal: Principal, name: str) -> None:
    """Revoke an API token (admin only)."""
    auth.require(principal, Scope.ADMIN)
    await db.write(lambda conn: tokens.revoke(conn, name), retry=False)


async def audit_trail(
    db: Database, artifact_ids: list[str], limit: int, offset: int
) -> list[AuditEntry]:
    """One page of the recorded writes to these versions, oldest first."""
    paging.check_nested(limit, offset)
    return await db.read(lambda conn: audit_repo.for_artifacts(conn, artifact_ids, limit, offset))
