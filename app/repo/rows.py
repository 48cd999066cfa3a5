"""Turn asyncpg records into domain dataclasses; nothing outside repo sees a Record."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.domain import (
    Artifact,
    Family,
    Kind,
    Link,
    LinkType,
    ModelFields,
    ProvenanceWarning,
    WarningCode,
)

ARTIFACT_COLUMNS = """
    a.id, a.lineage_id, a.kind, a.version_number, a.is_latest, a.title, a.description,
    a.metadata, a.created_at, a.family, a.architecture, a.parameter_count, a.training_config,
    a.evaluation_metrics, a.metric_directions, a.raw_quality_score, a.quality_score,
    a.provenance_warnings
"""

LINK_COLUMNS = "l.source_id, l.type, l.target_lineage_id, l.target_version_id, l.target_kind"


def warnings_to_json(warnings: tuple[ProvenanceWarning, ...]) -> list[dict[str, str]]:
    return [{"code": w.code.value, "message": w.message} for w in warnings]


def warnings_from_json(raw: list[dict[str, Any]]) -> tuple[ProvenanceWarning, ...]:
    return tuple(ProvenanceWarning(WarningCode(w["code"]), w["message"]) for w in raw)


def artifact(r: asyncpg.Record) -> Artifact:
    model = None
    if r["kind"] == Kind.MODEL.value:
        model = ModelFields(
            family=Family(r["family"]),
            architecture=r["architecture"],
            parameter_count=r["parameter_count"],
            training_config=r["training_config"],
            evaluation_metrics=r["evaluation_metrics"],
            metric_directions=r["metric_directions"],
            raw_quality_score=r["raw_quality_score"],
            quality_score=r["quality_score"],
            warnings=warnings_from_json(r["provenance_warnings"]),
        )
    return Artifact(
        id=r["id"],
        lineage_id=r["lineage_id"],
        kind=Kind(r["kind"]),
        version_number=r["version_number"],
        is_latest=r["is_latest"],
        title=r["title"],
        description=r["description"],
        metadata=r["metadata"],
        created_at=r["created_at"],
        model=model,
    )


def link(r: asyncpg.Record) -> Link:
    return Link(
        source_id=r["source_id"],
        type=LinkType(r["type"]),
        target_lineage_id=r["target_lineage_id"],
        target_version_id=r["target_version_id"],
        target_kind=Kind(r["target_kind"]),
    )
