"""compareModels over GraphQL on catalog data built for the test."""

from __future__ import annotations

import pytest

from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model
from tests.test_graphql_batching import app_statements

COMPARE = """
query($ids: [ID!]!) {
  compareModels(ids: $ids) {
    models { id qualityScore provenance { warnings { code } } }
    metrics { name better bestModelIds cells { modelId value delta best } }
    metadata { key differs cells { modelId value } }
    trainingConfig { key differs cells { modelId present value } }
    trainingData {
      sharedSameVersion { id }
      sameLineageDifferentVersions { lineageId uses { modelId dataset { id } } }
      uniqueToModel { modelId datasets { id } }
    }
    provenance {
      dags {
        modelId
        nodes { id sharedByAll artifact { kind } }
        edges { source target type pinned }
      }
      sharedAncestorIds
      uniqueAncestors { modelId ancestorIds }
    }
  }
}
"""


async def catalog(conn):
    shared = await make_dataset(conn, "shared")
    old = await make_dataset(conn, "atlas")
    new = await make_dataset(conn, "atlas")
    only_b = await make_dataset(conn, "only-b")
    h = await make_hypothesis(conn, "h")
    an = await make_analysis(conn, "an", uses=(shared.id, "atlas"), addresses=(h.id,))
    a = await make_model(
        conn,
        "a",
        trained_on=(shared.id, old.id),
        produced_by=an.id,
        tests=(h.id,),
        evaluation_metrics={"rmse": 0.2, "r2": 0.8},
        training_config={"opt": {"lr": 0.1}, "epochs": 5},
        raw_quality_score=0.9,
    )
    b = await make_model(
        conn,
        "b",
        trained_on=(shared.id, new.id, only_b.id),
        produced_by=an.id,
        tests=(h.id,),
        evaluation_metrics={"rmse": 0.1},
        training_config={"opt": {"lr": 0.1}, "dropout": 0.5},
        raw_quality_score=0.7,
    )
    return a, b


async def test_compare_two_models_end_to_end(api, conn):
    await catalog(conn)
    api.sql.reset()
    data = (await api.data(COMPARE, {"ids": ["a", "b-v1", "a-v1"]}))["compareModels"]
    assert len(app_statements(api.sql.statements)) <= 6
    assert [m["id"] for m in data["models"]] == ["a-v1", "b-v1"]
    metrics = {m["name"]: m for m in data["metrics"]}
    assert metrics["rmse"]["better"] == "LOWER" and metrics["rmse"]["bestModelIds"] == ["b-v1"]
    assert [c["value"] for c in metrics["r2"]["cells"]] == [0.8, None]
    assert metrics["rmse"]["cells"][1]["delta"] == pytest.approx(-0.1)
    config = {r["key"]: r for r in data["trainingConfig"]}
    assert config["opt.lr"]["differs"] is False
    assert config["dropout"]["cells"][0] == {"modelId": "a-v1", "present": False, "value": None}
    meta = {r["key"]: r for r in data["metadata"]}
    assert meta["raw_quality_score"]["differs"] and not meta["family"]["differs"]
    overlap = data["trainingData"]
    assert overlap["sharedSameVersion"] == [{"id": "shared-v1"}]
    assert overlap["sameLineageDifferentVersions"] == [
        {
            "lineageId": "atlas",
            "uses": [
                {"modelId": "a-v1", "dataset": {"id": "atlas-v1"}},
                {"modelId": "b-v1", "dataset": {"id": "atlas-v2"}},
            ],
        }
    ]
    assert overlap["uniqueToModel"] == [
        {"modelId": "a-v1", "datasets": []},
        {"modelId": "b-v1", "datasets": [{"id": "only-b-v1"}]},
    ]
    prov = data["provenance"]
    assert set(prov["sharedAncestorIds"]) == {"shared-v1", "an-v1", "h-v1", "atlas-v2"}
    unique = {u["modelId"]: u["ancestorIds"] for u in prov["uniqueAncestors"]}
    assert unique == {"a-v1": ["atlas-v1"], "b-v1": ["only-b-v1"]}
    dag = prov["dags"][0]
    node_ids = {n["id"] for n in dag["nodes"]}
    assert node_ids == {"a-v1", "shared-v1", "atlas-v1", "an-v1", "h-v1", "atlas-v2"}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in dag["edges"])
    floating = [e for e in dag["edges"] if not e["pinned"]]
    assert floating == [{"source": "an-v1", "target": "atlas-v2", "type": "USES", "pinned": False}]


async def test_compare_statement_count_does_not_grow_with_models(resolver_api, conn):
    api = resolver_api
    counts = []
    for n in (2, 10):
        await conn.execute("truncate links, artifacts, lineages cascade")
        await conn.execute("update model_counts set n = 0")
        ds = await make_dataset(conn, "ds")
        an = await make_analysis(conn, "an", uses=(ds.id,))
        for i in range(n):
            await make_model(conn, f"m{i}", trained_on=(ds.id,), produced_by=an.id)
        api.sql.reset()
        data = (await api.data(COMPARE, {"ids": [f"m{i}" for i in range(n)]}))["compareModels"]
        counts.append(len(app_statements(api.sql.statements)))
        # The answer too, written out: each model once, in the order asked, all alike.
        ids = [f"m{i}-v1" for i in range(n)]
        assert [m["id"] for m in data["models"]] == ids
        assert data["trainingData"]["sharedSameVersion"] == [{"id": "ds-v1"}]
        assert all(m["provenance"]["warnings"] == [] for m in data["models"])
        assert all(row["differs"] is False for row in data["trainingConfig"])
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        (["a"], "BAD_USER_INPUT"),
        (["a", "a-v1"], "BAD_USER_INPUT"),
        ([f"m{i}" for i in range(11)], "BAD_USER_INPUT"),
        (["a", "nope"], "NOT_FOUND"),
        (["a", "shared-v1"], "WRONG_KIND"),
        (["a", "a"], "BAD_USER_INPUT"),
    ],
)
async def test_compare_rejects_bad_id_lists(api, conn, ids, code):
    await catalog(conn)
    body = await api.gql(COMPARE, {"ids": ids})
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    if code == "NOT_FOUND":
        assert ids[1] in error["message"]
    if code == "WRONG_KIND":
        assert error["message"] == "only models can be compared: 'shared-v1' is a dataset"
    if ids == ["a", "a"]:
        assert error["message"] == (
            "compare 2 to 10 distinct models, got 1; 'a' names a-v1, given already"
        )
    if ids == ["a", "a-v1"]:
        assert "'a-v1' names a-v1, given already" in error["message"]
