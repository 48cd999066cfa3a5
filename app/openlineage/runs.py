"""What the registry knows of an OpenLineage run: its state, its events, its analysis."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.db.types import Conn
from app.repo import lineage_runs as run_repo
from app.repo.lineage_runs import Run, RunEvent

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class RunState:
    run: Run
    events: tuple[RunEvent, ...]


async def run_state(conn: Conn, run_id: str) -> RunState | None:
    """The run ``run_id`` names, with its events oldest first; None for an unknown run (or
    text that is no run id)."""
    if UUID.fullmatch(run_id) is None:
        return None
    found = (await run_repo.runs(conn, [run_id])).get(run_id.lower())
    if found is None:
        return None
    events = await run_repo.events_of(conn, [found.run_id])
    return RunState(found, tuple(events[found.run_id]))
