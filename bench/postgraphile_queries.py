"""PostGraphile's side of the workloads: its queries, and adapters from its answers to the
registry's shape (bench/workloads.py pairs each with ours' question)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def data(key: str) -> Callable[[Any], Any]:
    def adapt(r: Any) -> Any:
        if r.get("errors"):
            raise ValueError(f"GraphQL errors: {r['errors']}")
        return r["data"][key]

    return adapt


def _one(links: list[dict[str, Any]]) -> dict[str, Any] | None:
    return links[0]["artifactByTargetId"] if links else None


def _targets(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [lk["artifactByTargetId"] for lk in links]


def _id_title(a: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if a is None else {"id": a["id"], "title": a["title"]}


# -- (a) the models list

LIST_PG = """query List($family: String) {
  allArtifactsList(condition: {kind: "model", family: $family},
                   orderBy: [QUALITY_SCORE_DESC, ID_DESC], first: 20) {
    id title family qualityScore parameterCount createdAt } }"""


def pg_list(r: Any) -> Any:
    return {
        "items": [
            {**m, "family": m["family"].upper(), "parameterCount": int(m["parameterCount"])}
            for m in data("allArtifactsList")(r)
        ]
    }


# -- (b) nested provenance

# PostGraphile walks links through bench_pg.resolved_links (see bench/database.py).
NESTED_PG = """query Nested($family: String) {
  allArtifactsList(condition: {kind: "model", family: $family},
                   orderBy: [QUALITY_SCORE_DESC, ID_DESC], first: 20) {
    id title qualityScore
    trainedOn: resolvedLinksBySourceIdList(condition: {type: "trained_on"},
                                           orderBy: TARGET_LINEAGE_ID_ASC) {
      artifactByTargetId { id title lineageByLineageIdAndKind {
        artifactsByLineageIdAndKindList(orderBy: VERSION_NUMBER_ASC) { id versionNumber } } } }
    producedBy: resolvedLinksBySourceIdList(condition: {type: "produced_by"}) {
      artifactByTargetId { id title
        inputs: resolvedLinksBySourceIdList(condition: {type: "uses"},
                                            orderBy: TARGET_LINEAGE_ID_ASC) {
          pinned artifactByTargetId { id kind versionNumber } } } }
    testsHypotheses: resolvedLinksBySourceIdList(condition: {type: "tests_hypothesis"},
                                                 orderBy: TARGET_LINEAGE_ID_ASC) {
      artifactByTargetId { id title
        testedBy: resolvedLinksByTargetIdList(condition: {type: "tests_hypothesis"},
                                              orderBy: SOURCE_ID_ASC) {
          artifactBySourceId { id title } } } } } }"""


def pg_nested(r: Any) -> Any:
    def analysis(a: dict[str, Any] | None) -> dict[str, Any] | None:
        if a is None:
            return None
        inputs = [
            {
                "pinned": i["pinned"],
                "pinnedVersion": i["artifactByTargetId"]["versionNumber"] if i["pinned"] else None,
                "artifact": {
                    "id": i["artifactByTargetId"]["id"],
                    "kind": i["artifactByTargetId"]["kind"].upper(),
                },
            }
            for i in a["inputs"]
        ]
        return {"id": a["id"], "title": a["title"], "inputs": inputs}

    items = []
    for m in data("allArtifactsList")(r):
        items.append(
            {
                "id": m["id"],
                "title": m["title"],
                "qualityScore": m["qualityScore"],
                "trainedOn": [
                    {
                        "id": d["id"],
                        "title": d["title"],
                        "versions": d["lineageByLineageIdAndKind"][
                            "artifactsByLineageIdAndKindList"
                        ],
                    }
                    for d in _targets(m["trainedOn"])
                ],
                "producedBy": analysis(_one(m["producedBy"])),
                "testsHypotheses": [
                    {
                        "id": h["id"],
                        "title": h["title"],
                        "testedBy": [_id_title(t["artifactBySourceId"]) for t in h["testedBy"]],
                    }
                    for h in _targets(m["testsHypotheses"])
                ],
            }
        )
    return {"items": items}


# -- (c) one model's detail

DETAIL_PG = """query Detail($id: String!) { artifactById(id: $id) {
  id lineageId versionNumber isLatest title description createdAt metadata family
  architecture parameterCount trainingConfig qualityScore rawQualityScore evaluationMetrics
  provenanceWarnings kind
  trainedOn: resolvedLinksBySourceIdList(condition: {type: "trained_on"}) {
    artifactByTargetId { id title } }
  producedBy: resolvedLinksBySourceIdList(condition: {type: "produced_by"}) {
    artifactByTargetId { id title } }
  testsHypotheses: resolvedLinksBySourceIdList(condition: {type: "tests_hypothesis"}) {
    artifactByTargetId { id title } }
  derivedFrom: resolvedLinksBySourceIdList(condition: {type: "derived_from"}) {
    artifactByTargetId { id title } }
  lineageByLineageIdAndKind {
    artifactsByLineageIdAndKindList(orderBy: VERSION_NUMBER_ASC) { id versionNumber } } } }"""


def pg_detail(r: Any) -> Any:
    m = data("artifactById")(r)
    if m is None or m["kind"] != "model":
        return None
    warnings = m["provenanceWarnings"]
    return {
        **{k: m[k] for k in ("id", "lineageId", "versionNumber", "isLatest", "title")},
        **{k: m[k] for k in ("description", "createdAt", "metadata", "architecture")},
        "family": m["family"].upper(),
        "parameterCount": int(m["parameterCount"]),
        "trainingConfig": m["trainingConfig"],
        "qualityScore": m["qualityScore"],
        "rawQualityScore": m["rawQualityScore"],
        "evaluationMetricsJson": m["evaluationMetrics"],
        "provenance": {"complete": not warnings, "warnings": warnings},
        "trainedOn": [_id_title(a) for a in _targets(m["trainedOn"])],
        "producedBy": _id_title(_one(m["producedBy"])),
        "testsHypotheses": [_id_title(a) for a in _targets(m["testsHypotheses"])],
        "derivedFrom": [_id_title(a) for a in _targets(m["derivedFrom"])],
        "versions": m["lineageByLineageIdAndKind"]["artifactsByLineageIdAndKindList"],
    }


# -- (e) the REST shim

REST_PG = """query Rest($family: String) {
  allArtifacts(condition: {kind: "model", family: $family},
               orderBy: [QUALITY_SCORE_DESC, ID_DESC], first: 20) {
    totalCount
    nodes { id lineageId title family versionNumber isLatest qualityScore rawQualityScore
      evaluationMetrics provenanceWarnings createdAt architecture parameterCount
      uri digest sizeBytes archivedAt archivedReason
      tagsByArtifactIdList(orderBy: KEY_ASC) { key value }
      aliasesByVersionIdAndLineageIdList(orderBy: ALIAS_ASC) { alias }
      trainedOn: resolvedLinksBySourceIdList(condition: {type: "trained_on"},
                                             orderBy: TARGET_LINEAGE_ID_ASC) { targetId }
      producedBy: resolvedLinksBySourceIdList(condition: {type: "produced_by"}) { targetId }
      testsHypotheses: resolvedLinksBySourceIdList(condition: {type: "tests_hypothesis"},
                                                   orderBy: TARGET_LINEAGE_ID_ASC) {
        targetId } } } }"""


def pg_rest(r: Any) -> Any:
    """app/http/rest_json.py's model_summary from PostGraphile's answer."""
    page = data("allArtifacts")(r)
    models = []
    for m in page["nodes"]:
        trained = [lk["targetId"] for lk in m["trainedOn"]]
        models.append(
            {
                "id": m["id"],
                "title": m["title"],
                "model_family": m["family"],
                "version_number": m["versionNumber"],
                "is_latest": m["isLatest"],
                "quality_score": m["qualityScore"],
                "evaluation_metrics": m["evaluationMetrics"],
                "trained_on": trained[0] if trained else None,
                "produced_by": m["producedBy"][0]["targetId"] if m["producedBy"] else None,
                "created_at": m["createdAt"],
                "lineage_id": m["lineageId"],
                "trained_on_all": trained,
                "tests_hypotheses": [lk["targetId"] for lk in m["testsHypotheses"]],
                "raw_quality_score": m["rawQualityScore"],
                "quality_warning": bool(m["provenanceWarnings"]),
                "warnings": m["provenanceWarnings"],
                "architecture": m["architecture"],
                "parameter_count": int(m["parameterCount"]),
                "uri": m["uri"],
                "digest": m["digest"],
                "size_bytes": None if m["sizeBytes"] is None else int(m["sizeBytes"]),
                "archived": m["archivedAt"] is not None,
                "archived_at": m["archivedAt"],
                "archived_reason": m["archivedReason"],
                "tags": m["tagsByArtifactIdList"],
                "aliases": [al["alias"] for al in m["aliasesByVersionIdAndLineageIdList"]],
            }
        )
    return {"models": models, "total": page["totalCount"]}
