"""OpenLineage events as the registry reads them, and a run's events merged. Pure, no I/O.

An event reaches here validated (app.openlineage.schema), so its members have their types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.openlineage.schema import InvalidEvent

START, RUNNING, COMPLETE, ABORT, FAIL, OTHER = (
    "START",
    "RUNNING",
    "COMPLETE",
    "ABORT",
    "FAIL",
    "OTHER",
)
TERMINAL = frozenset({COMPLETE, ABORT, FAIL})
# Events one run may hold: merging them at completion reads them all.
MAX_EVENTS_PER_RUN = 100
MODEL_FACET = "modelRegistry_model"
HYPOTHESES_FACET = "modelRegistry_hypotheses"

Facets = Mapping[str, Any]


@dataclass(frozen=True)
class Name:
    """A job or dataset as OpenLineage names it."""

    namespace: str
    name: str


@dataclass(frozen=True)
class Dataset:
    """A dataset an event names, with its dataset facets."""

    name: Name
    facets: Facets = field(default_factory=dict)

    @property
    def version(self) -> str | None:
        """The ``version`` facet's datasetVersion: the same value is the same version."""
        facet = self.facets.get("version")
        return facet["datasetVersion"] if facet else None

    @property
    def model(self) -> Facets | None:
        """The registry's model facet: this output is a model."""
        return self.facets.get(MODEL_FACET)


@dataclass(frozen=True)
class Event:
    """One event: a run's transition (``run_id`` set), or a job's or datasets' static metadata."""

    event_type: str
    event_time: datetime
    producer: str
    job: Name | None
    run_id: str | None = None
    inputs: tuple[Dataset, ...] = ()
    outputs: tuple[Dataset, ...] = ()
    job_facets: Facets = field(default_factory=dict)
    run_facets: Facets = field(default_factory=dict)

    @property
    def hypotheses(self) -> tuple[str, ...]:
        """The hypotheses the job and the run facets say the analysis addresses."""
        named: list[str] = []
        for facets in (self.job_facets, self.run_facets):
            facet = facets.get(HYPOTHESES_FACET)
            named += facet["hypotheses"] if facet else []
        return tuple(dict.fromkeys(named))


def event_time(text: str) -> datetime:
    """The event's time; a time without its offset is refused (it names no instant)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidEvent(f"{text!r} is not an ISO 8601 date-time", "/eventTime") from None
    if value.tzinfo is None:
        raise InvalidEvent("eventTime needs its UTC offset (Z or +hh:mm)", "/eventTime")
    return value


def _live(facets: Any) -> dict[str, Any]:
    """Facets without those a producer marked deleted."""
    if not isinstance(facets, dict):
        return {}
    return {k: v for k, v in facets.items() if not (isinstance(v, dict) and v.get("_deleted"))}


def _datasets(items: Any) -> tuple[Dataset, ...]:
    return tuple(
        Dataset(Name(d["namespace"], d["name"]), _live(d.get("facets"))) for d in items or []
    )


def parse(body: dict[str, Any], kind: str) -> Event:
    """The event ``body`` (of the spec's ``kind``) as the registry reads it."""
    when = event_time(body["eventTime"])
    job = body.get("job")
    name = Name(job["namespace"], job["name"]) if job else None
    if kind == "DatasetEvent":
        return Event("DATASET", when, body["producer"], None, outputs=_datasets([body["dataset"]]))
    run = body.get("run")
    return Event(
        event_type=body.get("eventType", OTHER) if run else "JOB",
        event_time=when,
        producer=body["producer"],
        job=name,
        run_id=run["runId"].lower() if run else None,
        inputs=_datasets(body.get("inputs")),
        outputs=_datasets(body.get("outputs")),
        job_facets=_live(job.get("facets") if job else None),
        run_facets=_live(run.get("facets") if run else None),
    )


def _merge_datasets(groups: Iterable[tuple[Dataset, ...]]) -> tuple[Dataset, ...]:
    merged: dict[Name, dict[str, Any]] = {}
    for group in groups:
        for d in group:
            merged.setdefault(d.name, {}).update(d.facets)
    return tuple(Dataset(n, f) for n, f in merged.items())


def merge(events: Iterable[Event]) -> Event:
    """A run's events as one: every input, output and facet any of them named, a facet's
    later value (by event time) replacing an earlier one, as the spec has facets behave."""
    ordered = sorted(events, key=lambda e: e.event_time)
    last = ordered[-1]
    job_facets: dict[str, Any] = {}
    run_facets: dict[str, Any] = {}
    for e in ordered:
        job_facets.update(e.job_facets)
        run_facets.update(e.run_facets)
    return Event(
        event_type=last.event_type,
        event_time=last.event_time,
        producer=last.producer,
        job=last.job,
        run_id=last.run_id,
        inputs=_merge_datasets(e.inputs for e in ordered),
        outputs=_merge_datasets(e.outputs for e in ordered),
        job_facets=job_facets,
        run_facets=run_facets,
    )


def next_state(
    state: str | None, at: datetime | None, event_type: str, event_time: datetime
) -> tuple[str, datetime]:
    """The run's state after an event: the first terminal transition stays (a late FAIL does
    not undo a COMPLETE); before one, the latest transition by event time; OTHER events only
    add metadata."""
    if state is None or at is None:
        return event_type, event_time
    if state in TERMINAL or event_type == OTHER:
        return state, at
    if event_type in TERMINAL or state == OTHER or event_time >= at:
        return event_type, event_time
    return state, at


def ready(state: str, seen: Iterable[str]) -> bool:
    """Whether a run registers now: it completed and its START arrived (in either order), so
    the inputs that emitters send only with START are there."""
    return state == COMPLETE and START in set(seen)
