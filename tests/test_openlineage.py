"""OpenLineage events sent by the official openlineage-python client to a real server process."""

from __future__ import annotations

import asyncio

import pytest
import requests
from openlineage.client.event_v2 import RunState

from tests.factories import make_hypothesis
from tests.openlineage_helpers import (
    HypothesesFacet,
    ModelFacet,
    RunHypothesesFacet,
    client,
    dataset,
    lineage,
    new_run,
    run_event,
)
from tests.openlineage_helpers import server as server
from tests.openlineage_helpers import token as token

pytestmark = pytest.mark.process

ANALYSIS = """
query($id: ID!) {
  analysis(id: $id) {
    id lineageId versionNumber title metadata
    inputs { pinned artifact { id lineageId } }
    addresses { id }
    producedDatasets { id }
    producedModels { id }
  }
}
"""
MODEL = """
query($id: ID!) {
  model(id: $id) {
    id title family rawQualityScore qualityScore evaluationMetricsJson
    trainedOn { id } testsHypotheses { id } producedBy { id }
    provenance { complete warnings { code message } }
  }
}
"""
RUN = """
query($id: ID!) {
  lineageRun(runId: $id) { runId jobName state events { eventType } analysis { id } }
}
"""
COUNTS = (
    "select (select count(*) from artifacts), (select count(*) from links), "
    "(select count(*) from audit_log), (select count(*) from lineage_run_events)"
)


async def test_a_full_run_registers_pinned_inputs_outputs_and_a_model(api, conn, server, token):
    h = await make_hypothesis(conn, "h-growth")
    ol = client(server, token)
    run = new_run()
    raw, feats = dataset("s3://lake", "raw/cells", "1"), dataset("s3://lake", "features", "7")
    ol.emit(
        run_event(
            RunState.START,
            run,
            inputs=[raw, feats],
            job_facets={"modelRegistry_hypotheses": HypothesesFacet(hypotheses=[h.lineage_id])},
        )
    )
    assert await conn.fetchval("select count(*) from artifacts where kind <> 'hypothesis'") == 0
    facet = ModelFacet(
        family="statistical",
        rawQualityScore=0.82,
        title="Growth ridge",
        metrics={"rmse": 0.12, "r2": {"value": 0.9, "stderr": 0.01}},
        hypotheses=[h.id],
    )
    ol.emit(
        run_event(
            RunState.COMPLETE,
            run,
            at=5,
            outputs=[
                dataset("s3://lake", "scores", None),
                dataset("s3://models", "growth", None, modelRegistry_model=facet),
            ],
        )
    )
    analysis_id = lineage("analysis", "pipelines", "train") + "-v1"
    a = (await api.data(ANALYSIS, {"id": analysis_id}))["analysis"]
    raw_v1 = lineage("dataset", "s3://lake", "raw/cells") + "-v1"
    feats_v1 = lineage("dataset", "s3://lake", "features") + "-v1"
    assert a["title"] == "train" and a["metadata"]["openlineage"]["runId"] == run
    assert sorted((i["artifact"]["id"], i["pinned"]) for i in a["inputs"]) == sorted(
        [(raw_v1, True), (feats_v1, True)]
    )
    assert a["addresses"] == [{"id": h.id}]
    scores_v1 = lineage("dataset", "s3://lake", "scores") + "-v1"
    assert a["producedDatasets"] == [{"id": scores_v1}]
    model_id = lineage("model", "s3://models", "growth") + "-v1"
    assert a["producedModels"] == [{"id": model_id}]
    m = (await api.data(MODEL, {"id": model_id}))["model"]
    assert (m["title"], m["family"], m["rawQualityScore"]) == ("Growth ridge", "STATISTICAL", 0.82)
    assert m["evaluationMetricsJson"]["rmse"] == 0.12
    assert sorted(t["id"] for t in m["trainedOn"]) == sorted([raw_v1, feats_v1])
    assert m["producedBy"] == {"id": analysis_id}
    assert m["testsHypotheses"] == [{"id": h.id}]
    assert m["provenance"] == {"complete": True, "warnings": []}
    assert m["qualityScore"] == 0.82
    state = (await api.data(RUN, {"id": run}))["lineageRun"]
    assert state["state"] == "COMPLETE" and state["analysis"] == {"id": analysis_id}
    assert [e["eventType"] for e in state["events"]] == ["START", "COMPLETE"]
    # Namespace and name are both searchable.
    found = await api.data('{ datasets(filter: {text: "s3://lake"}) { total } }')
    assert found["datasets"]["total"] == 3


async def test_an_input_without_a_version_floats_and_caps_the_model(api, conn, server, token):
    ol = client(server, token)
    run = new_run()
    ol.emit(run_event(RunState.START, run, inputs=[dataset("pg://db", "public.cells")]))
    model = dataset("s3://models", "m", modelRegistry_model=ModelFacet("deep_learning", 0.9))
    ol.emit(run_event(RunState.COMPLETE, run, at=1, outputs=[model]))
    m = (await api.data(MODEL, {"id": lineage("model", "s3://models", "m")}))["model"]
    assert [w["code"] for w in m["provenance"]["warnings"]] == ["UNPINNED_INPUTS"]
    assert m["qualityScore"] == 0.3


async def test_two_runs_on_two_versions_of_one_input_pin_each_its_own(api, conn, server, token):
    # Marquez keeps only an input's latest version (its issue #2733): we keep what was said.
    ol = client(server, token)
    pins = []
    for minute, version in enumerate(["2026-03-01", "2026-03-02", "2026-03-01"]):
        run = new_run()
        ol.emit(
            run_event(
                RunState.START, run, at=minute, inputs=[dataset("s3://lake", "daily", version)]
            )
        )
        ol.emit(run_event(RunState.COMPLETE, run, at=minute + 1))
        aid = (await api.data(RUN, {"id": run}))["lineageRun"]["analysis"]["id"]
        (i,) = (await api.data(ANALYSIS, {"id": aid}))["analysis"]["inputs"]
        assert i["pinned"] is True
        pins.append(i["artifact"]["id"])
    daily = lineage("dataset", "s3://lake", "daily")
    # The same version value is the same version, however late it comes back.
    assert pins == [daily + "-v1", daily + "-v2", daily + "-v1"]


async def test_repeated_events_write_nothing_new(api, conn, server, token):
    ol = client(server, token)
    run = new_run()
    start = run_event(RunState.START, run, inputs=[dataset("s3://lake", "raw", "1")])
    complete = run_event(RunState.COMPLETE, run, at=2, outputs=[dataset("s3://lake", "out")])
    first = [ol.transport.emit(e).status_code for e in (start, complete)]
    before = await conn.fetchrow(COUNTS)
    again = [ol.transport.emit(e).status_code for e in (start, complete, start)]
    assert first == [201, 201] and again == [200, 200, 200]
    assert await conn.fetchrow(COUNTS) == before


async def test_complete_before_start_registers_once_start_arrives(api, conn, server, token):
    ol = client(server, token)
    run = new_run()
    ol.emit(run_event(RunState.COMPLETE, run, at=9, outputs=[dataset("s3://lake", "late-out")]))
    state = (await api.data(RUN, {"id": run}))["lineageRun"]
    assert state["state"] == "COMPLETE" and state["analysis"] is None
    assert await conn.fetchval("select count(*) from artifacts") == 0
    ol.emit(run_event(RunState.START, run, inputs=[dataset("s3://lake", "late-in", "3")]))
    state = (await api.data(RUN, {"id": run}))["lineageRun"]
    assert state["state"] == "COMPLETE"
    assert [e["eventType"] for e in state["events"]] == ["START", "COMPLETE"]
    a = (await api.data(ANALYSIS, {"id": state["analysis"]["id"]}))["analysis"]
    assert [i["artifact"]["id"] for i in a["inputs"]] == [
        lineage("dataset", "s3://lake", "late-in") + "-v1"
    ]
    assert a["producedDatasets"] == [{"id": lineage("dataset", "s3://lake", "late-out") + "-v1"}]


@pytest.mark.parametrize("end", [RunState.FAIL, RunState.ABORT])
async def test_a_failed_or_aborted_run_registers_nothing(api, conn, server, token, end):
    ol = client(server, token)
    run = new_run()
    ol.emit(run_event(RunState.START, run, inputs=[dataset("s3://lake", "raw", "1")]))
    ol.emit(run_event(RunState.RUNNING, run, at=1))
    assert (await api.data(RUN, {"id": run}))["lineageRun"]["state"] == "RUNNING"
    ol.emit(run_event(end, run, at=2, outputs=[dataset("s3://lake", "out")]))
    # A COMPLETE after the failure does not undo it.
    ol.emit(run_event(RunState.COMPLETE, run, at=3))
    assert (await api.data(RUN, {"id": run}))["lineageRun"]["state"] == end.value
    assert await conn.fetchval("select count(*) from artifacts") == 0


async def test_lineage_runs_across_steps_from_dataset_to_model(api, conn, server, token):
    ol = client(server, token)
    prep, train = new_run(), new_run()
    raw, clean = dataset("s3://lake", "raw", "1"), dataset("s3://lake", "clean", "c1")
    ol.emit(run_event(RunState.START, prep, job="prep", inputs=[raw]))
    ol.emit(run_event(RunState.COMPLETE, prep, job="prep", at=1, outputs=[clean]))
    model = dataset("s3://m", "growth", modelRegistry_model=ModelFacet("statistical", 0.7))
    ol.emit(run_event(RunState.START, train, job="train", at=2, inputs=[clean]))
    ol.emit(run_event(RunState.COMPLETE, train, job="train", at=3, outputs=[model]))
    query = """
    query($id: ID!) {
      lineage(id: $id, direction: UPSTREAM, maxDepth: 5) {
        nodes { distance artifact { id } } edges { sourceId targetId type pinned }
      }
    }
    """
    g = (await api.data(query, {"id": lineage("model", "s3://m", "growth")}))["lineage"]
    ids = {
        "model": lineage("model", "s3://m", "growth") + "-v1",
        "train": lineage("analysis", "pipelines", "train") + "-v1",
        "clean": lineage("dataset", "s3://lake", "clean") + "-v1",
        "prep": lineage("analysis", "pipelines", "prep") + "-v1",
        "raw": lineage("dataset", "s3://lake", "raw") + "-v1",
    }
    distance = {n["artifact"]["id"]: n["distance"] for n in g["nodes"]}
    assert distance == {
        ids["model"]: 0,
        ids["train"]: 1,
        ids["clean"]: 1,
        ids["prep"]: 2,
        ids["raw"]: 3,
    }
    edges = {(e["sourceId"], e["targetId"], e["type"], e["pinned"]) for e in g["edges"]}
    assert {
        (ids["model"], ids["train"], "PRODUCED_BY", True),
        (ids["train"], ids["clean"], "USES", True),
        (ids["clean"], ids["prep"], "PRODUCED_BY", True),
        (ids["prep"], ids["raw"], "USES", True),
    } <= edges


async def test_dataset_and_job_events_create_datasets_on_first_sight(api, conn, server, token):
    from openlineage.client.event_v2 import DatasetEvent, Job, JobEvent, StaticDataset

    ol = client(server, token, compression="gzip")
    versioned = dataset("s3://lake", "ref", "v9")
    for _ in range(2):
        ol.emit(
            DatasetEvent(
                eventTime="2026-03-01T00:00:00Z",
                producer="https://example.org/catalog",
                dataset=StaticDataset(**versioned),
            )
        )
    ol.emit(
        JobEvent(
            eventTime="2026-03-01T00:00:00Z",
            producer="https://example.org/catalog",
            job=Job(namespace="pipelines", name="nightly"),
            inputs=[],
            outputs=[],
        )
    )
    rows = await conn.fetch("select id, kind from artifacts order by id")
    assert [(r["id"], r["kind"]) for r in rows] == [
        (lineage("dataset", "s3://lake", "ref") + "-v1", "dataset")
    ]
    mapped = await conn.fetchval("select version from lineage_dataset_versions")
    assert mapped == "v9"


def test_the_custom_facet_schemas_are_served_at_their_ids(server):
    for name in ("ModelRegistryModelDatasetFacet", "ModelRegistryHypothesesJobFacet"):
        r = requests.get(f"{server.url}/api/v1/lineage/facets/1-0-0/{name}.json", timeout=10)
        assert r.status_code == 200
        assert r.json()["$id"] == f"/api/v1/lineage/facets/1-0-0/{name}.json"
    assert (
        requests.get(server.url + "/api/v1/lineage/facets/1-0-0/x.json", timeout=10).status_code
        == 404
    )


async def test_the_model_facet_may_name_which_inputs_it_was_trained_on(api, conn, server, token):
    h = await make_hypothesis(conn, "h-run")
    ol = client(server, token)
    run = new_run()
    used = [dataset("s3://lake", "train", "1"), dataset("s3://lake", "holdout", "1")]
    facet = ModelFacet("statistical", 0.6, trainedOn=[{"namespace": "s3://lake", "name": "train"}])
    hypotheses = {"modelRegistry_hypotheses": RunHypothesesFacet(hypotheses=[h.id])}
    ol.emit(run_event(RunState.START, run, inputs=used, run_facets=hypotheses))
    out = dataset("s3://m", "fit", modelRegistry_model=facet)
    ol.emit(run_event(RunState.COMPLETE, run, at=1, outputs=[out]))
    m = (await api.data(MODEL, {"id": lineage("model", "s3://m", "fit")}))["model"]
    assert m["trainedOn"] == [{"id": lineage("dataset", "s3://lake", "train") + "-v1"}]
    # The run facet says the analysis addresses h; the model's facet names no hypothesis.
    a = (await api.data(ANALYSIS, {"id": m["producedBy"]["id"]}))["analysis"]
    assert a["addresses"] == [{"id": h.id}] and len(a["inputs"]) == 2
    assert [w["code"] for w in m["provenance"]["warnings"]] == ["MISSING_HYPOTHESIS_LINK"]


async def test_a_job_event_creates_its_datasets_once_and_no_analysis(api, conn, server, token):
    from openlineage.client.event_v2 import InputDataset, Job, JobEvent, OutputDataset

    ol = client(server, token)
    event = JobEvent(
        eventTime="2026-03-01T00:00:00Z",
        producer="https://example.org/catalog",
        job=Job(namespace="pipelines", name="nightly"),
        inputs=[InputDataset(**dataset("pg://db", "public.a"))],
        outputs=[OutputDataset(**dataset("pg://db", "public.b", "5"))],
    )
    ol.emit(event)
    ol.emit(event)
    rows = await conn.fetch("select lineage_id, kind from artifacts order by id")
    assert sorted((r["lineage_id"], r["kind"]) for r in rows) == sorted(
        [
            (lineage("dataset", "pg://db", "public.a"), "dataset"),
            (lineage("dataset", "pg://db", "public.b"), "dataset"),
        ]
    )


async def test_the_same_event_sent_at_once_from_several_emitters_applies_once(
    api, conn, server, token
):
    run = new_run()
    start = run_event(RunState.START, run, inputs=[dataset("s3://lake", "raw", "1")])
    client(server, token).emit(start)
    complete = run_event(RunState.COMPLETE, run, at=1, outputs=[dataset("s3://lake", "out")])
    emitters = [client(server, token) for _ in range(4)]
    statuses = await asyncio.gather(
        *(asyncio.to_thread(lambda c=c: c.transport.emit(complete).status_code) for c in emitters)
    )
    assert sorted(statuses) == [200, 200, 200, 201]
    kinds = await conn.fetch("select kind, count(*) from artifacts group by kind order by kind")
    assert [(r["kind"], r["count"]) for r in kinds] == [("analysis", 1), ("dataset", 2)]
