"""The queries tests/test_fast_path.py sends, each with its answer built by tests.reference_reads.

Every expected answer comes from the tables (or is a literal), never from the app's read code,
so a bug the fast path and the resolvers share still fails the test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.reference_compare import COMPARE, COMPARE_FROM, COMPARED, compare, compare_with
from tests.reference_reads import Json, Reference, typename

NESTED = """
query Nested($limit: Int!) {
  models(limit: $limit, sort: {field: QUALITY_SCORE, direction: DESC}) {
    total
    items {
      id title family qualityScore rawQualityScore parameterCount createdAt
      evaluationMetrics { name value better } evaluationMetricsJson trainingConfig metadata
      provenance { complete warnings { code message } }
      trainedOn { id versions { id versionNumber } latest { id } }
      producedBy { id inputs { pinned pinnedVersion artifact { id kind } } addresses { id } }
      testsHypotheses { id testedBy { id } analyses { id } }
      derivedFrom { id versions { id } }
    }
  }
}
"""

Expect = Callable[[Reference], Awaitable[Json]]


async def nested(ref: Reference) -> Json:
    ids, total = await ref.page("model", sort="quality_score", limit=20)
    items = [await ref.nested_model(i) for i in ids]
    return {"models": {"total": total, "items": items}}


async def flat(ref: Reference) -> Json:
    ids, total = await ref.page(
        "model",
        where="a.family = 'deep_learning'",
        sort="parameter_count",
        direction="asc",
        limit=3,
        offset=1,
    )
    rows = [await ref.row(i) for i in ids]
    items = [
        {"id": r["id"], "title": r["title"], "parameterCount": r["parameter_count"]} for r in rows
    ]
    return {"models": {"total": total, "items": items}}


def title_has(text: str) -> str:
    # Literal, case-insensitive substring: no LIKE, so % and _ mean themselves.
    return f"strpos(lower(a.title), lower('{text}')) > 0"


async def latest_search(ref: Reference) -> Json:
    ids, total = await ref.page("model", where=f"a.is_latest and {title_has('sea-ad')}")
    return {"models": {"total": total, "items": [{"id": i, "isLatest": True} for i in ids]}}


async def every_sort(ref: Reference) -> Json:
    sorts = {
        "a": ("created_at", "asc"),
        "b": ("quality_score", "desc"),
        "c": ("parameter_count", "desc"),
    }
    out = {}
    for alias, (sort, direction) in sorts.items():
        ids, _ = await ref.page("model", sort=sort, direction=direction, limit=100)
        out[alias] = {"items": [{"id": i} for i in ids]}
    return out


async def one_model(ref: Reference) -> Json:
    vid = await ref.resolve("model-celltype-classifier")
    assert vid is not None
    r = await ref.row(vid)
    return {
        "m": {
            "__typename": "Model",
            "id": vid,
            "kind": "MODEL",
            "lineageId": r["lineage_id"],
            "versionNumber": r["version_number"],
            "isLatest": r["is_latest"],
            "description": r["description"],
            "createdAt": r["created_at_json"],
            "v": [
                {"versionNumber": v["version_number"], "isLatest": v["is_latest"]}
                for v in await ref.versions(vid)
            ],
            "latest": await ref.latest(vid),
        }
    }


async def interface(ref: Reference) -> Json:
    r = await ref.row("model-hh-interneuron-v1")
    return {
        "artifact": {
            "__typename": "Model",
            "id": r["id"],
            "family": r["family"].upper(),
            "provenance": {"complete": ref.provenance(r)["complete"]},
        }
    }


async def analysis_inputs(ref: Reference) -> Json:
    aid = await ref.resolve("analysis-patchseq-biophys")
    assert aid is not None
    inputs = []
    for i in await ref.inputs(aid):
        artifact: Json = {"__typename": typename(i["kind"]), "id": i["id"]}
        if i["kind"] == "dataset":
            artifact["usedBy"] = await ref.back_ids(i["id"], "uses")
        if i["kind"] == "model":
            artifact["family"] = (await ref.row(i["id"]))["family"].upper()
        inputs.append(
            {
                "__typename": "AnalysisInput",
                "pinned": i["pinned"],
                "pinnedVersion": i["version_number"] if i["pinned"] else None,
                "artifact": artifact,
            }
        )
    return {
        "analysis": {
            "id": aid,
            "inputs": inputs,
            "producedModels": await ref.back_ids(aid, "produced_by"),
            "addresses": await ref.forward_ids(aid, "addresses"),
        }
    }


async def datasets_page(ref: Reference) -> Json:
    ids, total = await ref.page("dataset", limit=50)
    items = []
    for i in ids:
        trained = [
            {"id": m["id"], "qualityScore": (await ref.row(m["id"]))["quality_score"]}
            for m in await ref.back_ids(i, "trained_on")
        ]
        items.append(
            {
                "id": i,
                "title": (await ref.row(i))["title"],
                "trainedModels": trained,
                "usedBy": await ref.back_ids(i, "uses"),
                "versions": [{"id": v["id"]} for v in await ref.versions(i)],
                "latest": await ref.latest(i),
            }
        )
    return {"datasets": {"total": total, "items": items}}


async def hypotheses_and_analyses(ref: Reference) -> Json:
    h_ids, h_total = await ref.page("hypothesis", where="a.is_latest")
    hypotheses = [
        {
            "id": h,
            "testedBy": await ref.back_ids(h, "tests_hypothesis"),
            "analyses": await ref.back_ids(h, "addresses"),
        }
        for h in h_ids
    ]
    a_ids, a_total = await ref.page("analysis", limit=2, offset=1)
    return {
        "hypotheses": {"total": h_total, "items": hypotheses},
        "analyses": {"total": a_total, "items": [{"id": a} for a in a_ids]},
    }


async def unknown_ids(ref: Reference) -> Json:
    return {"a": None, "b": None, "c": None, "d": {"kind": "DATASET"}}


async def like_metacharacters(ref: Reference) -> Json:
    ids, total = await ref.page("model", where=title_has("100%_"))
    assert total == 1  # odd-model only: a LIKE pattern would match far more
    return {"models": {"total": total, "items": [{"id": i} for i in ids]}}


async def two_newest(ref: Reference) -> Json:
    ids, _ = await ref.page("model", limit=2)
    return {"models": {"items": [{"id": i} for i in ids]}}


def graph(
    nodes: list[tuple[str, int]], edges: list[Json], kinds: dict[str, str], fields: tuple[str, ...]
) -> Json:
    ordered = sorted(edges, key=lambda e: (e["depth"], e["sourceId"], e["targetId"], e["type"]))
    return {
        "nodes": [
            {
                "distance": d,
                "artifact": {
                    "id": n,
                    **({"__typename": typename(kinds[n])} if "__typename" in fields else {}),
                },
            }
            for n, d in nodes
        ],
        "edges": [
            {
                k: v
                for k, v in {
                    "sourceId": e["sourceId"],
                    "targetId": e["targetId"],
                    "type": e["type"],
                    "pinned": e["pinned"],
                    "pinnedVersion": int(e["targetId"].rsplit("-v", 1)[1]) if e["pinned"] else None,
                }.items()
                if k in fields or k in ("sourceId", "targetId")
            }
            for e in ordered
        ],
    }


async def kinds(ref: Reference) -> dict[str, str]:
    return {r["id"]: r["kind"] for r in await ref.conn.fetch("select id, kind from artifacts")}


async def downstream(ref: Reference) -> Json:
    start = "dataset-sea-ad-snrna-v2"
    nodes, edges, truncated = await ref.lineage(start, downstream=True, max_depth=5, limit=500)
    g = graph(nodes, edges, await kinds(ref), ("__typename", "type", "pinned", "pinnedVersion"))
    return {"lineage": {"root": {"id": start, "kind": "DATASET"}, "truncated": truncated, **g}}


async def upstream_cut(ref: Reference) -> Json:
    start = await ref.resolve("model-celltype-classifier-distilled")
    assert start is not None
    k = await kinds(ref)
    a = await ref.lineage(start, downstream=False, max_depth=1, limit=100)
    b = await ref.lineage(start, downstream=False, max_depth=4, limit=3)
    assert a[2] and b[2]  # both are cut
    return {
        "a": {"truncated": a[2], **graph(a[0], a[1], k, ())},
        "b": {"truncated": b[2], **graph(b[0], b[1], k, ("type",))},
        "c": None,
    }


async def family_total_alone(ref: Reference) -> Json:
    _, total = await ref.page("model", where="a.family = 'deep_learning'")
    return {"a": {"total": total}, "b": {"__typename": "ModelPage"}}


QUERIES: list[tuple[str, str, dict[str, Any], Expect]] = [
    ("nested provenance", NESTED, {"limit": 20}, nested),
    (
        "flat list filtered and sorted",
        """{ models(filter: {family: DEEP_LEARNING}, sort: {field: PARAMETER_COUNT, direction: ASC},
             limit: 3, offset: 1) { total items { id title parameterCount } } }""",
        {},
        flat,
    ),
    (
        "a family's total alone, and a page of only its typename",
        """{ a: models(filter: {family: DEEP_LEARNING}) { total }
             b: models(filter: {family: BIOPHYSICAL}) { __typename } }""",
        {},
        family_total_alone,
    ),
    (
        "latest only with search",
        '{ models(filter: {latestOnly: true, search: "sea-ad"}) { total items { id isLatest } } }',
        {},
        latest_search,
    ),
    (
        "every sort",
        """{ a: models(sort: {field: CREATED_AT, direction: ASC}, limit: 100) { items { id } }
             b: models(sort: {field: QUALITY_SCORE}, limit: 100) { items { id } }
             c: models(sort: {field: PARAMETER_COUNT, direction: DESC}, limit: 100) {
               items { id } } }""",
        {},
        every_sort,
    ),
    (
        "one model by lineage with typename and aliases",
        """{ m: model(id: "model-celltype-classifier") { __typename id kind lineageId versionNumber
               isLatest description createdAt v: versions { versionNumber isLatest }
               latest { id } } }""",
        {},
        one_model,
    ),
    (
        "interface lookup with fragments",
        """query($id: ID!) {
             artifact(id: $id) { __typename id ...M ... on Dataset { trainedModels { id } } } }
           fragment M on Model { family provenance { complete } }""",
        {"id": "model-hh-interneuron-v1"},
        interface,
    ),
    (
        "analysis inputs reaching any kind",
        """{ analysis(id: "analysis-patchseq-biophys") { id inputs { __typename pinned pinnedVersion
              artifact { __typename id ... on Dataset { usedBy { id } } ... on Model { family } } }
              producedModels { id } addresses { id } } }""",
        {},
        analysis_inputs,
    ),
    (
        "datasets page with back-links",
        """{ datasets(limit: 50) { total items { id title trainedModels { id qualityScore }
              usedBy { id } versions { id } latest { id } } } }""",
        {},
        datasets_page,
    ),
    (
        "hypotheses and analyses pages",
        """{ hypotheses(latestOnly: true) { total items { id testedBy { id } analyses { id } } }
             analyses(limit: 2, offset: 1) { total items { id } } }""",
        {},
        hypotheses_and_analyses,
    ),
    (
        "unknown, malformed and wrong-kind ids are null",
        """{ a: model(id: "nope") { id } b: dataset(id: "model-hh-interneuron") { id }
             c: hypothesis(id: "x y") { id }
             d: artifact(id: "dataset-sea-ad-snrna-v1") { kind } }""",
        {},
        unknown_ids,
    ),
    (
        "search with LIKE metacharacters",
        '{ models(filter: {search: "100%_"}) { total items { id } } }',
        {},
        like_metacharacters,
    ),
    (
        "variable defaults",
        "query($l: Int = 2) { models(limit: $l) { items { id } } }",
        {},
        two_newest,
    ),
    (
        "compare models and metrics, lineage ids and duplicates collapsed",
        COMPARE,
        {"ids": COMPARED},
        compare,
    ),
    (
        "compare from a baseline named by its lineage",
        COMPARE_FROM,
        {"ids": COMPARED, "b": "model-hh-interneuron"},
        compare_with("model-hh-interneuron"),
    ),
    (
        "lineage downstream of a dataset",
        """query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM, maxDepth: 5, limit: 500) {
             root { id kind } truncated nodes { distance artifact { id __typename } }
             edges { sourceId targetId type pinned pinnedVersion } } }""",
        {"id": "dataset-sea-ad-snrna-v2"},
        downstream,
    ),
    (
        "lineage upstream, cut by depth and limit",
        """{ a: lineage(id: "model-celltype-classifier-distilled", maxDepth: 1) {
               truncated nodes { distance artifact { id } } edges { sourceId targetId } }
             b: lineage(id: "model-celltype-classifier-distilled", maxDepth: 4, limit: 3) {
               truncated nodes { distance artifact { id } } edges { sourceId targetId type } }
             c: lineage(id: "nope") { truncated } }""",
        {},
        upstream_cut,
    ),
]
