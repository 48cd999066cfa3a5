"""Apply one OpenLineage event to the catalog, in one transaction.

- A job (namespace, name) is an analysis lineage; a run that completed (its START and its
  COMPLETE arrived, in either order) becomes the next analysis version, whose ``uses`` links
  pin the input dataset versions its events named.
- A dataset (namespace, name) is a dataset lineage, created on first sight; its ``version``
  facet names the version: the same value is always the same version, a new one makes the
  next. An input without the facet floats on the lineage.
- Each output is a new dataset version produced by the analysis version (with a version
  facet, the version that value names, which gets that producer if it has none yet); an
  output with the ``modelRegistry_model`` facet is a model version instead.
- START, RUNNING, FAIL and ABORT only record the run's state; FAIL and ABORT register nothing.
  A repeated event (same run, type and time) writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app import ids, validation
from app.db.types import Conn
from app.domain import Family, Kind, LinkSpec, LinkType, NewArtifact
from app.errors import Conflict
from app.openlineage import events, schema
from app.openlineage.events import Dataset, Event, Name
from app.repo import lineage_runs as run_repo
from app.repo import links as link_repo
from app.service import curate
from app.service.register import register

TITLE_MAX = 300


@dataclass
class Outcome:
    """What one event did: ``written`` is False for a repeat."""

    event: str
    written: bool = True
    run_id: str | None = None
    state: str | None = None
    analysis_id: str | None = None
    dataset_ids: list[str] = field(default_factory=list)
    model_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "written": self.written,
            "run": {"runId": self.run_id, "state": self.state} if self.run_id else None,
            "analysisId": self.analysis_id,
            "datasetIds": self.dataset_ids,
            "modelIds": self.model_ids,
        }


def lineage_of(kind: Kind, n: Name) -> str:
    """The lineage an OpenLineage name maps to: stable, URL-safe, from namespace and name."""
    return ids.derived_lineage_id(kind.value, n.namespace, n.name)


def _described(kind: str, n: Name) -> dict[str, Any]:
    # Title and description are what `text` searches: both the name and the namespace. The
    # spec allows empty names, and ones longer than a title.
    title = n.name.strip() or n.namespace.strip() or "unnamed"
    description = f"OpenLineage {kind} {n.name} in namespace {n.namespace}"
    return {"title": title[:TITLE_MAX], "description": description[: validation.MAX_DESCRIPTION]}


def _metadata(n: Name, **more: Any) -> dict[str, Any]:
    return {"openlineage": {"namespace": n.namespace, "name": n.name, **more}}


class _Catalog:
    """The writes of one event, by one actor, on one connection."""

    def __init__(self, conn: Conn, actor: str) -> None:
        self.conn, self.actor = conn, actor

    async def _new_dataset(self, d: Dataset, links: Sequence[LinkSpec] = ()) -> str:
        extra = {"version": d.version} if d.version is not None else {}
        new = NewArtifact(
            kind=Kind.DATASET,
            lineage_id=lineage_of(Kind.DATASET, d.name),
            metadata=_metadata(d.name, **extra),
            links=tuple(links),
            **_described("dataset", d.name),
        )
        created = await register(self.conn, new, self.actor)
        if d.version is not None:
            await run_repo.map_dataset_version(
                self.conn, d.name.namespace, d.name.name, d.version, created.id
            )
        return created.id

    async def input_ref(self, d: Dataset) -> str:
        """The ref a run's input links to: the version its version facet names (made on first
        sight), or its lineage (made at version 1 on first sight), floating."""
        lineage = lineage_of(Kind.DATASET, d.name)
        await run_repo.lock_name(self.conn, lineage)
        if d.version is not None:
            found = await run_repo.dataset_version(
                self.conn, d.name.namespace, d.name.name, d.version
            )
            return found or await self._new_dataset(d)
        if not await run_repo.lineage_exists(self.conn, lineage):
            await self._new_dataset(d)
        return lineage

    async def output(self, d: Dataset, analysis_id: str) -> str:
        """The dataset version an output is: new, or the one its version facet names."""
        produced = [LinkSpec(LinkType.PRODUCED_BY, analysis_id)]
        if d.version is None:
            return await self._new_dataset(d, produced)
        await run_repo.lock_name(self.conn, lineage_of(Kind.DATASET, d.name))
        found = await run_repo.dataset_version(self.conn, d.name.namespace, d.name.name, d.version)
        if found is None:
            return await self._new_dataset(d, produced)
        producers = await link_repo.from_sources(self.conn, [found], [LinkType.PRODUCED_BY])
        if not producers:  # seen as an input first: now we know who wrote it
            await curate.add_links(self.conn, found, produced, self.actor)
        return found

    async def model(
        self, d: Dataset, analysis_id: str, inputs: dict[Name, str], event: Event
    ) -> str:
        """The model version an output with the model facet is."""
        facet = d.model or {}
        named = [Name(t["namespace"], t["name"]) for t in facet.get("trainedOn", [])]
        trained = [inputs.get(n) or lineage_of(Kind.DATASET, n) for n in named]
        links = [
            LinkSpec(LinkType.PRODUCED_BY, analysis_id),
            *(LinkSpec(LinkType.TRAINED_ON, r) for r in (trained if named else inputs.values())),
            *(LinkSpec(LinkType.TESTS_HYPOTHESIS, h) for h in facet.get("hypotheses", [])),
        ]
        described = _described("model", d.name)
        new = NewArtifact(
            kind=Kind.MODEL,
            lineage_id=lineage_of(Kind.MODEL, d.name),
            title=facet.get("title", described["title"]),
            description=described["description"],
            metadata=_metadata(d.name, runId=event.run_id, **_version(d)),
            links=tuple(links),
            family=Family(facet["family"]),
            architecture=facet.get("architecture", ""),
            parameter_count=facet.get("parameterCount", 0),
            training_config=facet.get("trainingConfig", {}),
            evaluation_metrics=facet.get("metrics", {}),
            metric_directions=facet.get("metricDirections", {}),
            raw_quality_score=facet["rawQualityScore"],
        )
        return (await register(self.conn, new, self.actor)).id


def _version(d: Dataset) -> dict[str, Any]:
    return {"version": d.version} if d.version is not None else {}


async def _complete(conn: Conn, actor: str, run: Event, outcome: Outcome) -> None:
    """Register the analysis version of a completed run, then its outputs."""
    assert run.job is not None
    catalog = _Catalog(conn, actor)
    # Every lineage this run writes or reads, locked in id order before any: two runs that
    # share datasets (one's input, the other's output) wait for each other, never deadlock.
    touched = {lineage_of(Kind.ANALYSIS, run.job)}
    touched |= {lineage_of(Kind.DATASET, d.name) for d in (*run.inputs, *run.outputs)}
    touched |= {lineage_of(Kind.MODEL, d.name) for d in run.outputs if d.model is not None}
    for lineage_id in sorted(touched):
        await run_repo.lock_name(conn, lineage_id)
    inputs = {d.name: await catalog.input_ref(d) for d in run.inputs}
    links = [LinkSpec(LinkType.USES, r) for r in inputs.values()]
    links += [LinkSpec(LinkType.ADDRESSES, h) for h in run.hypotheses]
    analysis = await register(
        conn,
        NewArtifact(
            kind=Kind.ANALYSIS,
            lineage_id=lineage_of(Kind.ANALYSIS, run.job),
            metadata=_metadata(run.job, runId=run.run_id, producer=run.producer),
            links=tuple(links),
            **_described("job", run.job),
        ),
        actor,
    )
    outcome.analysis_id = analysis.id
    for d in run.outputs:
        if d.model is not None:
            outcome.model_ids.append(await catalog.model(d, analysis.id, inputs, run))
        else:
            outcome.dataset_ids.append(await catalog.output(d, analysis.id))


async def _run_event(conn: Conn, actor: str, body: dict[str, Any], event: Event) -> Outcome:
    assert event.run_id is not None and event.job is not None
    outcome = Outcome("RunEvent", run_id=event.run_id)
    run, created = await run_repo.lock_run(
        conn, event.run_id, event.job.namespace, event.job.name, event.event_type, event.event_time
    )
    if (run.job_namespace, run.job_name) != (event.job.namespace, event.job.name):
        raise Conflict(
            f"run {event.run_id} is a run of job {run.job_namespace}/{run.job_name}",
            field="run.runId",
        )
    if not await run_repo.add_event(conn, event.run_id, event.event_type, event.event_time, body):
        outcome.written, outcome.state, outcome.analysis_id = False, run.state, run.analysis_id
        return outcome
    state, at = (
        (run.state, run.state_time)
        if created
        else events.next_state(run.state, run.state_time, event.event_type, event.event_time)
    )
    outcome.state = state
    seen = (await run_repo.events_of(conn, [event.run_id]))[event.run_id]
    if len(seen) > events.MAX_EVENTS_PER_RUN:
        raise Conflict(f"a run holds at most {events.MAX_EVENTS_PER_RUN} events")
    if run.analysis_id is None and events.ready(state, [e.event_type for e in seen]):
        stored = await run_repo.bodies(conn, event.run_id)
        merged = events.merge(events.parse(b, "RunEvent") for b in stored)
        await _complete(conn, actor, merged, outcome)
    await run_repo.set_state(conn, event.run_id, state, at, outcome.analysis_id)
    outcome.analysis_id = outcome.analysis_id or run.analysis_id
    return outcome


async def ingest(conn: Conn, body: Any, actor: str) -> Outcome:
    """Validate one event and apply it; a refused event writes nothing."""
    kind = schema.validate(body)
    event = events.parse(body, kind)
    async with conn.transaction():
        if event.run_id is not None:
            return await _run_event(conn, actor, body, event)
        outcome = Outcome(kind)
        catalog = _Catalog(conn, actor)
        named = sorted(
            {d.name: d for d in (*event.inputs, *event.outputs)}.values(),
            key=lambda d: lineage_of(Kind.DATASET, d.name),
        )
        for d in named:
            ref = await catalog.input_ref(d)
            outcome.dataset_ids.append(ref)
        return outcome
