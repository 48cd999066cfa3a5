"""Turn asyncpg records into domain dataclasses; nothing outside repo sees a Record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from app import metric_values
from app.domain import (
    Artifact,
    Family,
    Kind,
    Link,
    LinkType,
    ModelFields,
    ProvenanceWarning,
    Tag,
    WarningCode,
)

ARTIFACT_COLUMNS = """
    a.id, a.lineage_id, a.kind, a.version_number, a.is_latest, a.title, a.description,
    a.metadata, a.created_at, a.family, a.architecture, a.parameter_count, a.training_config,
    a.evaluation_metrics, a.metric_intervals, a.metric_directions, a.raw_quality_score,
    a.quality_score, a.provenance_warnings, a.archived_at, a.archived_reason, a.uri, a.digest,
    a.size_bytes,
    (select coalesce(jsonb_agg(jsonb_build_array(t.key, t.value)), '[]') from tags t
        where t.artifact_id = a.id) as tags,
    (select coalesce(array_agg(al.alias), '{}') from aliases al
        where al.version_id = a.id) as aliases
"""

LINK_COLUMNS = "l.source_id, l.type, l.target_lineage_id, l.target_version_id, l.target_kind"


def columns(keys: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Batched keys as one array per position, for ``unnest($1, $2, ...) with ordinality``."""
    return [[k[i] for k in keys] for i in range(width)]


def warnings_to_json(warnings: tuple[ProvenanceWarning, ...]) -> list[dict[str, str]]:
    return [{"code": w.code.value, "message": w.message} for w in warnings]


def warnings_from_json(raw: list[dict[str, Any]]) -> tuple[ProvenanceWarning, ...]:
    return tuple(ProvenanceWarning(WarningCode(w["code"]), w["message"]) for w in raw)


# Columns that become dataclass fields of the same name as they are.
_PLAIN = ("id", "lineage_id", "version_number", "is_latest", "title", "description", "metadata",
          "created_at", "archived_at", "archived_reason", "uri", "digest",
          "size_bytes")  # fmt: skip
_PLAIN_MODEL = ("architecture", "parameter_count", "training_config", "evaluation_metrics",
                "metric_directions", "raw_quality_score", "quality_score")  # fmt: skip


def artifact(r: asyncpg.Record) -> Artifact:
    model = None
    if r["kind"] == Kind.MODEL.value:
        model = ModelFields(
            family=Family(r["family"]),
            warnings=warnings_from_json(r["provenance_warnings"]),
            intervals={
                k: metric_values.interval_from_json(v) for k, v in r["metric_intervals"].items()
            },
            **{c: r[c] for c in _PLAIN_MODEL},
        )
    # Sorted here: an ordered aggregate would add a sort step to every page's plan.
    tags = tuple(sorted(Tag(k, v) for k, v in r["tags"]))
    aliases = tuple(sorted(r["aliases"]))
    return Artifact(
        kind=Kind(r["kind"]), model=model, tags=tags, aliases=aliases, **{c: r[c] for c in _PLAIN}
    )


def link(r: asyncpg.Record) -> Link:
    source, lineage, version = r["source_id"], r["target_lineage_id"], r["target_version_id"]
    return Link(source, LinkType(r["type"]), lineage, version, Kind(r["target_kind"]))
