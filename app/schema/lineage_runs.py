"""OpenLineage runs as GraphQL shows them: their state and the analysis version they became."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.openlineage import runs
from app.schema.types import Analysis, Info, as_analysis


@strawberry.type(description="One event of an OpenLineage run, as received.")
class LineageRunEvent:
    event_type: str = strawberry.field(
        description="START, RUNNING, COMPLETE, ABORT, FAIL or OTHER."
    )
    event_time: datetime
    received_at: datetime


@strawberry.type(
    description="An OpenLineage run sent to POST /api/v1/lineage: its job, its state, and the "
    "analysis version it became once its START and COMPLETE events both arrived."
)
class LineageRun:
    run_id: strawberry.ID
    job_namespace: str
    job_name: str
    state: str = strawberry.field(
        description="The first of COMPLETE, FAIL or ABORT received; before one, the latest "
        "START or RUNNING by event time (OTHER when only OTHER events came)."
    )
    state_time: datetime = strawberry.field(description="The event time of that transition.")
    events: list[LineageRunEvent] = strawberry.field(description="By event time.")
    analysis_id: strawberry.Private[str | None]

    @strawberry.field(description="The analysis version the run became; null until it has.")
    async def analysis(self, info: Info) -> Analysis | None:
        if self.analysis_id is None:
            return None
        found = await info.context.loaders.artifact.load(self.analysis_id)
        return as_analysis(found) if found else None


async def lineage_run(info: Info, run_id: strawberry.ID) -> LineageRun | None:
    """The run by its runId (a UUID)."""
    found = await info.context.loaders.run(lambda c: runs.run_state(c, str(run_id)))
    if found is None:
        return None
    r = found.run
    return LineageRun(
        run_id=strawberry.ID(r.run_id),
        job_namespace=r.job_namespace,
        job_name=r.job_name,
        state=r.state,
        state_time=r.state_time,
        events=[
            LineageRunEvent(
                event_type=e.event_type, event_time=e.event_time, received_at=e.received_at
            )
            for e in found.events
        ],
        analysis_id=r.analysis_id,
    )
