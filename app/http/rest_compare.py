"""The JSON of GET /api/models/compare: the same content as GraphQL's compareModels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.comparison import DiffRow, MetricCell, MetricRow
from app.domain import Artifact, LinkType
from app.http.rest_json import Targets, model_summary
from app.overlap import Jaccard, Share
from app.service.compare import Comparison


def _artifact(a: Artifact) -> dict[str, Any]:
    return {
        "id": a.id,
        "lineage_id": a.lineage_id,
        "kind": a.kind.value,
        "version_number": a.version_number,
        "title": a.title,
    }


def _dag_targets(c: Comparison, model_id: str) -> Targets:
    dag = next(d for d in c.lineages.dags if d.model_id == model_id)
    found: Targets = {}
    for e in dag.edges:
        if e.source == model_id:
            found.setdefault(LinkType(e.type), []).append(e.target)
    return found


def _share(s: Share) -> dict[str, Any]:
    return {"id": s.id, "model_ids": list(s.model_ids), "sharing": s.sharing.value}


def _metric_row(r: MetricRow) -> dict[str, Any]:
    def by_model(get: Callable[[MetricCell], Any]) -> dict[str, Any]:
        return {x.model_id: get(x) for x in r.cells}

    return {
        "name": r.name,
        "better": r.better,
        "verdict": r.verdict.value,
        "best_model_ids": list(r.best_model_ids),
        "leader_model_ids": list(r.leader_model_ids),
        "overlapping_model_ids": list(r.overlapping_model_ids),
        "reported_count": r.reported_count,
        "values": by_model(lambda x: x.value),
        "intervals": {x.model_id: x.interval.as_json() for x in r.cells if x.interval is not None},
        "delta_from_baseline": by_model(lambda x: x.delta),
        "relative_delta_from_baseline": by_model(lambda x: x.relative_delta),
        "capped_model_ids": [x.model_id for x in r.cells if x.capped],
    }


def comparison(c: Comparison) -> dict[str, Any]:
    """The structured comparison, with the same content as GraphQL's compareModels."""
    ids = [m.id for m in c.models]
    base = ids[c.baseline]

    def diff(rows: list[DiffRow]) -> list[dict[str, Any]]:
        return [
            {
                "key": r.key,
                "differs": r.differs,
                "values": {
                    mid: (v if p else None)
                    for mid, v, p in zip(ids, r.values, r.present, strict=True)
                },
                "missing": [mid for mid, p in zip(ids, r.present, strict=True) if not p],
                "differs_from_baseline": [
                    mid for mid, d in zip(ids, r.differs_from_baseline, strict=True) if d
                ],
            }
            for r in rows
        ]

    lin = c.lineages
    data = lin.training_data
    shared = set(lin.shared_ancestors)
    return {
        "baseline_model_id": base,
        "duplicates": [{"id": d.ref, "model_id": d.model_id} for d in c.duplicates],
        "models": [model_summary(m, _dag_targets(c, m.id)) for m in c.models],
        "metrics": [_metric_row(r) for r in c.metrics],
        "metadata_diff": diff(c.metadata),
        "training_config_diff": diff(c.training_config),
        "training_data_overlap": {
            "shared_same_version": list(data.shared),
            "shared_by_some": [_share(s) for s in data.shared_by_some],
            "same_lineage_different_versions": [
                {"lineage_id": lineage, "uses": [{"model_id": m, "dataset_id": d} for m, d in uses]}
                for lineage, uses in data.version_splits.items()
            ],
            "unique_to_model": {m: list(ds) for m, ds in data.unique.items()},
            "datasets": [_share(s) for s in data.datasets],
            "similarity": [
                {
                    "model_ids": list(s.model_ids),
                    "versions": _jaccard(s.versions),
                    "lineages": _jaccard(s.lineages),
                }
                for s in data.similarity
            ],
            "same_content": [
                {"dataset_ids": list(g.dataset_ids), "model_ids": list(g.model_ids)}
                for g in data.same_content
            ],
        },
        "provenance": {
            "dags": [
                {
                    "model_id": d.model_id,
                    "nodes": [
                        _artifact(lin.artifacts[n])
                        | {"shared_by_all": n in shared, "model_ids": list(lin.owners[n])}
                        for n in d.nodes
                    ],
                    "edges": [
                        {"source": e.source, "target": e.target, "type": e.type, "pinned": e.pinned}
                        for e in d.edges
                    ],
                }
                for d in lin.dags
            ],
            "shared_ancestor_ids": lin.shared_ancestors,
            "unique_ancestor_ids": lin.unique_ancestors,
            "ancestors": [_share(s) for s in lin.ancestors],
            "merged": {
                "nodes": [
                    _artifact(lin.artifacts[n.id])
                    | {
                        "compared": n.compared,
                        "model_ids": list(n.model_ids),
                        "sharing": n.sharing.value,
                    }
                    for n in lin.merged.nodes
                ],
                "edges": [
                    {
                        "source": e.source,
                        "target": e.target,
                        "type": e.type,
                        "pinned": e.pinned,
                        "model_ids": list(e.model_ids),
                    }
                    for e in lin.merged.edges
                ],
            },
        },
    }


def _jaccard(j: Jaccard) -> dict[str, Any]:
    return {"shared": j.shared, "union": j.union, "value": j.value}
