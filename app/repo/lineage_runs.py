"""OpenLineage runs, their events, and the dataset versions OpenLineage names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.types import Conn


@dataclass(frozen=True)
class Run:
    run_id: str
    job_namespace: str
    job_name: str
    state: str
    state_time: datetime
    analysis_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RunEvent:
    event_type: str
    event_time: datetime
    received_at: datetime


_RUN = (
    "run_id::text, job_namespace, job_name, state, state_time, analysis_id, created_at, updated_at"
)


def _run(r: Any) -> Run:
    return Run(**dict(r.items()))


async def lock_run(
    conn: Conn, run_id: str, namespace: str, name: str, state: str, at: datetime
) -> tuple[Run, bool]:
    """The run, created with ``state`` if new, row-locked until the transaction ends: the
    events of one run apply one at a time. The flag says whether it was created now."""
    created = await conn.fetchrow(
        f"""
        insert into lineage_runs (run_id, job_namespace, job_name, state, state_time)
        values ($1::uuid, $2, $3, $4, $5)
        on conflict (run_id) do nothing
        returning {_RUN}
        """,
        run_id,
        namespace,
        name,
        state,
        at,
    )
    if created is not None:
        return _run(created), True
    found = await conn.fetchrow(
        f"select {_RUN} from lineage_runs where run_id = $1::uuid for update", run_id
    )
    assert found is not None
    return _run(found), False


async def add_event(
    conn: Conn, run_id: str, event_type: str, event_time: datetime, body: dict[str, Any]
) -> bool:
    """Keep an event of a run; False when the run holds it already (same type and time)."""
    status: str = await conn.execute(
        """
        insert into lineage_run_events (run_id, event_type, event_time, body)
        values ($1::uuid, $2, $3, $4::jsonb) on conflict do nothing
        """,
        run_id,
        event_type,
        event_time,
        body,
    )
    return status != "INSERT 0 0"


async def bodies(conn: Conn, run_id: str) -> list[dict[str, Any]]:
    """Every event of a run, as sent, oldest first."""
    records = await conn.fetch(
        """
        select body from lineage_run_events where run_id = $1::uuid
        order by event_time, event_type
        """,
        run_id,
    )
    return [r["body"] for r in records]


async def set_state(
    conn: Conn, run_id: str, state: str, at: datetime, analysis_id: str | None
) -> None:
    await conn.execute(
        """
        update lineage_runs set state = $2, state_time = $3,
            analysis_id = coalesce($4, analysis_id), updated_at = clock_timestamp()
        where run_id = $1::uuid
        """,
        run_id,
        state,
        at,
        analysis_id,
    )


async def runs(conn: Conn, run_ids: Sequence[str]) -> dict[str, Run]:
    """The runs by id (ids that are not UUIDs name none)."""
    records = await conn.fetch(
        f"select {_RUN} from lineage_runs where run_id::text = any($1::text[])",
        [r.lower() for r in run_ids],
    )
    return {r["run_id"]: _run(r) for r in records}


async def events_of(conn: Conn, run_ids: Sequence[str]) -> dict[str, list[RunEvent]]:
    """Each run's events (type and time), oldest first."""
    records = await conn.fetch(
        """
        select run_id::text, event_type, event_time, received_at from lineage_run_events
        where run_id::text = any($1::text[]) order by run_id, event_time, event_type
        """,
        list(run_ids),
    )
    found: dict[str, list[RunEvent]] = {r: [] for r in run_ids}
    for r in records:
        found[r["run_id"]].append(RunEvent(r["event_type"], r["event_time"], r["received_at"]))
    return found


async def lock_name(conn: Conn, lineage_id: str) -> None:
    """Serialise first sights of one lineage (the lock registration takes, app.repo.artifacts)."""
    await conn.execute(
        "select pg_advisory_xact_lock(hashtext('lineage'), hashtext($1))", lineage_id
    )


async def dataset_version(conn: Conn, namespace: str, name: str, version: str) -> str | None:
    """The dataset version an OpenLineage (namespace, name, version) maps to, if seen."""
    found: str | None = await conn.fetchval(
        """
        select version_id from lineage_dataset_versions
        where namespace = $1 and name = $2 and version = $3
        """,
        namespace,
        name,
        version,
    )
    return found


async def map_dataset_version(
    conn: Conn, namespace: str, name: str, version: str, version_id: str
) -> None:
    await conn.execute(
        """
        insert into lineage_dataset_versions (namespace, name, version, version_id)
        values ($1, $2, $3, $4)
        """,
        namespace,
        name,
        version,
        version_id,
    )


async def lineage_exists(conn: Conn, lineage_id: str) -> bool:
    found: bool = await conn.fetchval(
        "select exists (select from lineages where id = $1)", lineage_id
    )
    return found
