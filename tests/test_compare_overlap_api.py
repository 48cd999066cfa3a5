"""What compared models share, over GraphQL and REST alike: every trained-on dataset version
in one group, pairwise similarity, ancestors shared by a subset, and one merged graph."""

from __future__ import annotations

import pytest

from app.demo.load import load_if_empty

FIVE = [
    "model-gwas-susie-finemap-v1",
    "model-gwas-susie-finemap-v2",
    "model-gwas-susie-finemap-v3",
    "model-biophys-microglia-v1",
    "model-biophys-microglia-v3",
]
A, B, C, D, E = FIVE

QUERY = """query($ids: [ID!]!) { compareModels(ids: $ids) {
  baselineModelId duplicates { id modelId }
  trainingData {
    sharedSameVersion { id }
    sharedBySome { dataset { id } modelIds sharing }
    sameLineageDifferentVersions { lineageId uses { modelId dataset { id } } }
    uniqueToModel { modelId datasets { id } }
    datasets { dataset { id } modelIds sharing }
    similarity { modelIds versions { shared union value } lineages { shared union value } }
  }
  provenance {
    ancestors { id modelIds sharing }
    dags { modelId nodes { id sharing modelIds } }
    merged { nodes { id compared modelIds sharing } edges { source target type modelIds } }
  }
} }"""


@pytest.fixture
async def demo(conn):
    await load_if_empty(conn)


async def test_a_dataset_shared_by_three_of_five_models_is_shown_with_them(api, demo):
    data = (await api.data(QUERY, {"ids": FIVE}))["compareModels"]
    overlap = data["trainingData"]
    assert {
        "dataset": {"id": "dataset-ld-reference-eur-v1"},
        "modelIds": [A, B, C],
        "sharing": "SOME",
    } in overlap["sharedBySome"]
    every = {d["dataset"]["id"]: d for d in overlap["datasets"]}
    assert every["dataset-ld-reference-eur-v1"]["modelIds"] == [A, B, C]
    assert every["dataset-ad-gwas-sumstats-v2"]["modelIds"] == [B, C]
    # the summary statistics are one lineage at two versions: a split, not "shared by some"
    splits = {s["lineageId"]: s for s in overlap["sameLineageDifferentVersions"]}
    assert [
        (u["modelId"], u["dataset"]["id"]) for u in splits["dataset-ad-gwas-sumstats"]["uses"]
    ] == [
        (A, "dataset-ad-gwas-sumstats-v1"),
        (B, "dataset-ad-gwas-sumstats-v2"),
        (C, "dataset-ad-gwas-sumstats-v2"),
    ]
    # every trained-on version appears in exactly one group
    grouped = (
        [d["id"] for d in overlap["sharedSameVersion"]]
        + [s["dataset"]["id"] for s in overlap["sharedBySome"]]
        + list({u["dataset"]["id"] for s in splits.values() for u in s["uses"]})
        + [d["id"] for m in overlap["uniqueToModel"] for d in m["datasets"]]
    )
    assert sorted(grouped) == sorted(every)
    pairs = {tuple(s["modelIds"]): s for s in overlap["similarity"]}
    assert len(pairs) == 10
    assert pairs[(B, C)]["versions"] == {"shared": 2, "union": 2, "value": 1.0}
    assert pairs[(A, B)]["versions"] == {"shared": 1, "union": 3, "value": 1 / 3}
    assert pairs[(A, B)]["lineages"]["value"] == 1.0
    assert pairs[(A, D)]["versions"]["value"] == 0.0


async def test_ancestors_shared_by_some_and_the_merged_graph(api, demo):
    data = (await api.data(QUERY, {"ids": FIVE}))["compareModels"]
    prov = data["provenance"]
    ancestors = {a["id"]: a for a in prov["ancestors"]}
    assert ancestors["dataset-ld-reference-eur-v1"]["modelIds"] == [A, B, C]
    assert ancestors["dataset-ld-reference-eur-v1"]["sharing"] == "SOME"
    merged = prov["merged"]
    nodes = {n["id"]: n for n in merged["nodes"]}
    assert [n["id"] for n in merged["nodes"][:5]] == FIVE  # the compared models first
    assert all(nodes[m]["compared"] for m in FIVE)
    assert set(nodes) == {n["id"] for d in prov["dags"] for n in d["nodes"]}
    assert nodes["dataset-ld-reference-eur-v1"]["sharing"] == "SOME"
    for dag in prov["dags"]:
        for n in dag["nodes"]:
            assert n["modelIds"] == nodes[n["id"]]["modelIds"]
            assert n["sharing"] == nodes[n["id"]]["sharing"]
    edges = {(e["source"], e["target"], e["type"]): e for e in merged["edges"]}
    assert edges[(A, "dataset-ld-reference-eur-v1", "TRAINED_ON")]["modelIds"] == [A]
    assert len(edges) == len(merged["edges"])  # each edge once


async def test_rest_carries_the_same_groups(api, demo):
    data = (await api.data(QUERY, {"ids": FIVE}))["compareModels"]
    body = (await api.client.get("/api/models/compare", params={"ids": ",".join(FIVE)})).json()
    rest = body["training_data_overlap"]
    assert rest["shared_by_some"] == [
        {"id": s["dataset"]["id"], "model_ids": s["modelIds"], "sharing": s["sharing"].lower()}
        for s in data["trainingData"]["sharedBySome"]
    ]
    assert [s["versions"] for s in rest["similarity"]] == [
        s["versions"] for s in data["trainingData"]["similarity"]
    ]
    assert [a["id"] for a in body["provenance"]["ancestors"]] == [
        a["id"] for a in data["provenance"]["ancestors"]
    ]
    assert [n["id"] for n in body["provenance"]["merged"]["nodes"]] == [
        n["id"] for n in data["provenance"]["merged"]["nodes"]
    ]


async def test_repeated_ids_collapse_and_are_listed_once(api, demo):
    ids = [A, "model-gwas-susie-finemap-v1", B, A, "model-biophys-microglia"]
    data = (await api.data(QUERY, {"ids": ids}))["compareModels"]
    assert data["duplicates"] == [{"id": A, "modelId": A}]
    assert data["baselineModelId"] == A
