"""The audit trail: who changed what, when, with links before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.types import Conn


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    artifact_id: str
    before: Any
    after: Any


async def record(
    conn: Conn, actor: str, action: str, artifact_id: str, before: Any, after: Any
) -> None:
    """Append one entry; call it inside the write's transaction."""
    await conn.execute(
        "insert into audit_log (actor, action, artifact_id, before, after) "
        "values ($1, $2, $3, $4, $5)",
        actor,
        action,
        artifact_id,
        before,
        after,
    )


async def record_metric(
    conn: Conn, actor: str, action: str, metric_name: str, before: Any, after: Any
) -> None:
    """Append one entry about a metric name (its declaration); inside the write's transaction."""
    await conn.execute(
        "insert into audit_log (actor, action, metric_name, before, after) "
        "values ($1, $2, $3, $4, $5)",
        actor,
        action,
        metric_name,
        before,
        after,
    )


async def for_metric(conn: Conn, metric_name: str) -> list[AuditEntry]:
    """Every entry about a metric name, oldest first (its name in place of an artifact id)."""
    records = await conn.fetch(
        "select at, actor, action, metric_name, before, after from audit_log "
        "where metric_name = $1 order by id",
        metric_name,
    )
    return [
        AuditEntry(r["at"], r["actor"], r["action"], r["metric_name"], r["before"], r["after"])
        for r in records
    ]


async def for_artifacts(
    conn: Conn, artifact_ids: list[str], limit: int, offset: int
) -> list[AuditEntry]:
    """One page of the entries about the given versions, oldest first."""
    records = await conn.fetch(
        "select at, actor, action, artifact_id, before, after from audit_log "
        "where artifact_id = any($1::text[]) order by id limit $2 offset $3",
        artifact_ids,
        limit,
        offset,
    )
    return [
        AuditEntry(r["at"], r["actor"], r["action"], r["artifact_id"], r["before"], r["after"])
        for r in records
    ]
