"""The JSON shapes of the REST shims (fixed by the original spec). Pure functions."""

from __future__ import annotations

from typing import Any

from app.domain import Artifact, LinkType, is_archived, iso_utc
from app.service.detail import Edge, ModelDetail


def _warnings(a: Artifact) -> list[dict[str, str]]:
    assert a.model is not None
    return [{"code": w.code.value, "message": w.message} for w in a.model.warnings]


Targets = dict[LinkType, list[str]]


def targets_of(edges: list[Edge]) -> Targets:
    """The version ids a model's links reach, by link type."""
    return {t: [e.target.id for e in edges if e.link.type is t] for t in LinkType}


def model_summary(a: Artifact, targets: Targets) -> dict[str, Any]:
    """A list item: exactly the spec's keys, then extras."""
    m = a.model
    assert m is not None
    trained_on = targets.get(LinkType.TRAINED_ON, [])
    produced_by = targets.get(LinkType.PRODUCED_BY, [])
    return {
        "id": a.id,
        "title": a.title,
        "model_family": m.family.value,
        "version_number": a.version_number,
        "is_latest": a.is_latest,
        "quality_score": m.quality_score,
        "evaluation_metrics": m.evaluation_metrics,
        "trained_on": trained_on[0] if trained_on else None,
        "produced_by": produced_by[0] if produced_by else None,
        "created_at": iso_utc(a.created_at),
        # extras beyond the spec
        "lineage_id": a.lineage_id,
        "trained_on_all": trained_on,
        "tests_hypotheses": targets.get(LinkType.TESTS_HYPOTHESIS, []),
        "raw_quality_score": m.raw_quality_score,
        "quality_warning": bool(m.warnings),
        "warnings": _warnings(a),
        "architecture": m.architecture,
        "parameter_count": m.parameter_count,
        "archived": is_archived(a),
        "archived_at": iso_utc(a.archived_at) if a.archived_at else None,
        "archived_reason": a.archived_reason,
        "tags": [{"key": t.key, "value": t.value} for t in a.tags],
        "aliases": list(a.aliases),
        "uri": a.uri,
        "digest": a.digest,
        "size_bytes": a.size_bytes,
    }


# The GraphQL selection behind GET /api/models; summary_from_graphql reads its answer.
LIST_QUERY = """
query RestModels($f: ModelFilter, $s: ModelSort, $l: Int!, $o: Int!, $a: String) {
  models(filter: $f, sort: $s, limit: $l, offset: $o, after: $a) {
    total nextCursor
    items {
      id title family versionNumber isLatest qualityScore evaluationMetricsJson createdAt
      lineageId rawQualityScore architecture parameterCount uri digest sizeBytes
      archived archivedAt archivedReason tags { key value } aliases
      trainedOn { id } producedBy { id } testsHypotheses { id }
      provenance { warnings { code message } }
    }
  }
}
"""


def summary_from_graphql(m: dict[str, Any]) -> dict[str, Any]:
    """A list item, from one item of LIST_QUERY: the same keys as model_summary."""
    trained_on = [d["id"] for d in m["trainedOn"]]
    warnings = m["provenance"]["warnings"]
    return {
        "id": m["id"],
        "title": m["title"],
        "model_family": m["family"].lower(),
        "version_number": m["versionNumber"],
        "is_latest": m["isLatest"],
        "quality_score": m["qualityScore"],
        "evaluation_metrics": m["evaluationMetricsJson"],
        "trained_on": trained_on[0] if trained_on else None,
        "produced_by": m["producedBy"]["id"] if m["producedBy"] else None,
        "created_at": m["createdAt"],
        "lineage_id": m["lineageId"],
        "trained_on_all": trained_on,
        "tests_hypotheses": [h["id"] for h in m["testsHypotheses"]],
        "raw_quality_score": m["rawQualityScore"],
        "quality_warning": bool(warnings),
        "warnings": warnings,
        "architecture": m["architecture"],
        "parameter_count": m["parameterCount"],
        "archived": m["archived"],
        "archived_at": m["archivedAt"],
        "archived_reason": m["archivedReason"],
        "tags": m["tags"],
        "aliases": m["aliases"],
        "uri": m["uri"],
        "digest": m["digest"],
        "size_bytes": m["sizeBytes"],
    }


def _ref(e: Edge) -> dict[str, Any]:
    return {
        "id": e.target.id,
        "lineage_id": e.target.lineage_id,
        "kind": e.target.kind.value,
        "version_number": e.target.version_number,
        "title": e.target.title,
        "pinned": e.link.pinned,
    }


def model_detail(d: ModelDetail) -> dict[str, Any]:
    """Full detail: summary, configuration, versions, linked artifacts, provenance."""
    a, m = d.model, d.model.model
    assert m is not None
    by_type = {t: [_ref(e) for e in d.edges if e.link.type is t] for t in LinkType}
    producer = by_type[LinkType.PRODUCED_BY]
    analysis = None
    if producer:
        analysis = producer[0] | {
            "inputs": [_ref(e) for e in d.analysis_edges if e.link.type is LinkType.USES],
            "addresses": [_ref(e) for e in d.analysis_edges if e.link.type is LinkType.ADDRESSES],
        }
    return model_summary(a, targets_of(d.edges)) | {
        "description": a.description,
        "metadata": a.metadata,
        "training_config": m.training_config,
        "metric_directions": m.metric_directions,
        "metric_intervals": {k: iv.as_json() for k, iv in sorted(m.intervals.items())},
        "versions": [
            {
                "id": v.id,
                "version_number": v.version_number,
                "is_latest": v.is_latest,
                "archived": is_archived(v),
                "created_at": iso_utc(v.created_at),
                "quality_score": v.model.quality_score if v.model else None,
            }
            for v in d.versions
        ],
        "links": {
            "trained_on": by_type[LinkType.TRAINED_ON],
            "produced_by": analysis,
            "tests_hypotheses": by_type[LinkType.TESTS_HYPOTHESIS],
            "derived_from": by_type[LinkType.DERIVED_FROM],
        },
        "provenance": {"complete": not m.warnings, "warnings": _warnings(a)},
    }
