"""The pure rules of OpenLineage ingest: a run's state, its merged events, the schema check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.openlineage import events, schema
from app.openlineage.events import Dataset, Event, Name

T = datetime(2026, 3, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("state", "minute", "event_type", "event_minute", "expected"),
    [
        (None, None, "START", 0, ("START", 0)),
        ("START", 0, "RUNNING", 1, ("RUNNING", 1)),
        # A late START does not move a run back from RUNNING.
        ("RUNNING", 5, "START", 0, ("RUNNING", 5)),
        ("RUNNING", 5, "COMPLETE", 6, ("COMPLETE", 6)),
        # Terminal states stay, whatever arrives after, even with a later time.
        ("COMPLETE", 6, "FAIL", 7, ("COMPLETE", 6)),
        ("FAIL", 6, "COMPLETE", 7, ("FAIL", 6)),
        ("COMPLETE", 9, "START", 0, ("COMPLETE", 9)),
        # A terminal event ends a run even when its clock is behind the last START.
        ("START", 5, "ABORT", 4, ("ABORT", 4)),
        # OTHER only adds metadata; a run known only through OTHER takes the next state.
        ("RUNNING", 1, "OTHER", 2, ("RUNNING", 1)),
        ("OTHER", 3, "START", 1, ("START", 1)),
    ],
)
def test_a_runs_state_after_an_event(state, minute, event_type, event_minute, expected):
    when = None if minute is None else at(minute)
    got = events.next_state(state, when, event_type, at(event_minute))
    assert got == (expected[0], at(expected[1]))


@pytest.mark.parametrize(
    ("state", "seen", "ready"),
    [
        ("COMPLETE", ["START", "COMPLETE"], True),
        ("COMPLETE", ["COMPLETE"], False),
        ("RUNNING", ["START", "RUNNING"], False),
        ("FAIL", ["START", "FAIL", "COMPLETE"], False),
    ],
)
def test_a_run_registers_once_it_completed_and_its_start_arrived(state, seen, ready):
    assert events.ready(state, seen) is ready


def _event(minute: int, event_type: str, **kw) -> Event:
    return Event(event_type, at(minute), "p", Name("n", "job"), "r", **kw)


def test_merging_keeps_every_dataset_and_the_latest_value_of_each_facet():
    raw = Name("s3://lake", "raw")
    start = _event(
        0,
        "START",
        inputs=(Dataset(raw, {"version": {"datasetVersion": "1"}, "schema": {"fields": []}}),),
        job_facets={"a": 1, "b": 1},
    )
    complete = _event(
        5,
        "COMPLETE",
        inputs=(Dataset(raw, {"version": {"datasetVersion": "2"}}),),
        outputs=(Dataset(Name("s3://lake", "out")),),
        job_facets={"b": 2},
    )
    # Arrival order does not matter: event time does.
    merged = events.merge([complete, start])
    assert merged.event_type == "COMPLETE"
    (i,) = merged.inputs
    assert i.version == "2" and "schema" in i.facets
    assert [o.name.name for o in merged.outputs] == ["out"]
    assert merged.job_facets == {"a": 1, "b": 2}


def test_a_facet_marked_deleted_is_not_read():
    body = {
        "eventTime": "2026-03-01T00:00:00Z",
        "producer": "p",
        "schemaURL": "s",
        "eventType": "START",
        "run": {"runId": "3F5E83FA-3480-44FF-99C5-FF943904E5E8"},
        "job": {"namespace": "n", "name": "j"},
        "inputs": [{"namespace": "a", "name": "b", "facets": {"version": {"_deleted": True}}}],
    }
    e = events.parse(body, "RunEvent")
    assert e.inputs[0].version is None
    assert e.run_id == "3f5e83fa-3480-44ff-99c5-ff943904e5e8"


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-03-01T12:00:00Z", True), ("2026-03-01T12:00:00+02:00", True), ("2026-03-01", False)],
)
def test_an_event_time_needs_its_offset(text, ok):
    if ok:
        assert events.event_time(text).tzinfo is not None
    else:
        with pytest.raises(schema.InvalidEvent) as e:
            events.event_time(text)
        assert e.value.details == {"pointer": "/eventTime"}


def test_text_with_nul_is_refused_where_it_is():
    with pytest.raises(schema.InvalidEvent) as e:
        schema.validate({"job": {"namespace": "n", "name": "a\x00b"}, "inputs": [1]})
    assert e.value.details == {"pointer": "/job/name"}


def test_events_of_other_spec_versions_are_refused():
    event = {
        "eventTime": "2026-03-01T00:00:00Z",
        "producer": "https://p",
        "schemaURL": "https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent",
        "run": {"runId": "3f5e83fa-3480-44ff-99c5-ff943904e5e8"},
        "job": {"namespace": "n", "name": "j"},
    }
    with pytest.raises(schema.InvalidEvent) as e:
        schema.validate(event)
    assert e.value.details == {"pointer": "/schemaURL"}
    event["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    assert schema.validate(event) == "RunEvent"


def test_the_vendored_schemas_resolve_every_ref_locally():
    # Every $ref in every vendored file resolves in the local registry; none is fetched.
    for path in schema.schema_files():
        relative = str(path.relative_to(schema.SPEC_DIR))
        document = schema.read_schema(relative)
        for name in document.get("$defs", {}):
            validator = schema._validator(f"{document['$id']}#/$defs/{name}")
            list(validator.iter_errors({}))
