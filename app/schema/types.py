"""GraphQL types: thin views over domain dataclasses; every relationship goes through a loader.

Columns and value shapes are written here; the link, versions, latest and count fields come
from the read model's declarations (app.schema.declared). Every list of artifacts is paged the
same way: ``limit`` (100 by default, at most 1000) and ``offset`` or ``after`` (a cursor)
arguments, a sibling ``...Count`` field with the length of the whole list, and a sibling
``...NextCursor`` field with the cursor after a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import strawberry

from app import domain, ids
from app import metric_history as history
from app.domain import Kind
from app.reach import ref
from app.readmodel.fields import ARTIFACT, TYPE_OF, NextCursor
from app.schema import resolve
from app.schema.context import Context
from app.schema.declared import declared
from app.schema.metrics import Metric, MetricHistory, MetricPoint, MetricWarning, metrics_of
from app.schema.metrics import warnings as metric_warnings
from app.schema.scalars import JSON, BigInt
from app.schema.values import (
    LIMIT,
    PAGED,
    After,
    ArtifactKind,
    ArtifactLinkType,
    HistorySampling,
    Limit,
    ModelFamily,
    Offset,
    Provenance,
    ProvenanceWarning,
    Tag,
    WarningCode,
    count_of,
    next_cursor_of,
)

Info = strawberry.Info[Context, None]


@strawberry.type(description="A move of an alias: set (from null), moved, or removed (to null).")
class AliasMove:
    at: datetime
    actor: str
    alias: str
    from_version_id: strawberry.ID | None
    to_version_id: strawberry.ID | None
    reason: str


@strawberry.type(description="One check a protected alias's gate fails.")
class GateCheck:
    code: str = strawberry.field(
        description="PROVENANCE_INCOMPLETE, ARCHIVED, METRIC_MISSING, BELOW_THRESHOLD or "
        "INSUFFICIENT_IMPROVEMENT."
    )
    message: str
    metric: str | None
    wanted: float | None
    got: float | None


@strawberry.type(description="A metric a protected alias's gate checks.")
class GateMetricRule:
    metric: str
    threshold: float | None
    min_improvement: float | None
    min_relative_improvement: float | None


@strawberry.type(description="An alias of a lineage, the version it points at, and its gate.")
class LineageAlias:
    alias: str
    version: Artifact
    protected: bool
    gate: list[GateMetricRule]
    passes: bool = strawberry.field(
        description="Whether the version it holds passes its gate now; false when curation "
        "made its provenance incomplete since (the alias stays, `checks` say why)."
    )
    checks: list[GateCheck]


@strawberry.interface(
    description="One immutable version of a model, dataset, analysis or hypothesis."
)
class Artifact:
    id: strawberry.ID
    lineage_id: strawberry.ID = strawberry.field(description="Shared by every version.")
    kind: ArtifactKind
    version_number: int
    is_latest: bool
    title: str
    description: str
    created_at: datetime
    metadata: JSON
    archived: bool = strawberry.field(
        description="Archived versions stay readable by id but leave latest-only lists."
    )
    archived_at: datetime | None
    archived_reason: str | None
    tags: list[Tag] = strawberry.field(description="Key/value labels, sorted by key.")
    data: strawberry.Private[domain.Artifact]

    @strawberry.field(
        description="The aliases of its lineage that point at this version, by name; "
        "`lineageId@alias` names this version wherever an id is accepted."
    )
    def aliases(self) -> list[str]:
        return list(self.data.aliases)

    @strawberry.field(
        description="Every move of an alias of this version's lineage, newest first." + PAGED
    )
    async def alias_history(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> list[AliasMove]:
        a = self.data
        moves = await resolve.items(
            info, a, TYPE_OF[a.kind.value], "aliasHistory", limit, offset, after
        )
        return [
            AliasMove(
                at=m.at,
                actor=m.actor,
                alias=m.alias,
                from_version_id=None
                if m.from_version_id is None
                else strawberry.ID(m.from_version_id),
                to_version_id=None if m.to_version_id is None else strawberry.ID(m.to_version_id),
                reason=m.reason,
            )
            for m in moves
        ]

    @strawberry.field(description=count_of("aliasHistory"))
    async def alias_history_count(self, info: Info) -> int:
        return await info.context.loaders.alias_move_counts.load(self.data.lineage_id)

    @strawberry.field(description=next_cursor_of("aliasHistory"))
    async def alias_history_next_cursor(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> str | None:
        a, field = self.data, ARTIFACT["aliasHistoryNextCursor"]
        assert isinstance(field, NextCursor)
        return await resolve.next_cursor(
            info, a, TYPE_OF[a.kind.value], field, limit, offset, after
        )


def _common(a: domain.Artifact) -> dict[str, Any]:
    return {
        "id": strawberry.ID(a.id),
        "lineage_id": strawberry.ID(a.lineage_id),
        "kind": ArtifactKind(a.kind.value),
        "version_number": a.version_number,
        "is_latest": a.is_latest,
        "title": a.title,
        "description": a.description,
        "created_at": a.created_at,
        "metadata": a.metadata,
        "archived": domain.is_archived(a),
        "archived_at": a.archived_at,
        "archived_reason": a.archived_reason,
        "tags": [Tag(key=t.key, value=t.value) for t in a.tags],
        "data": a,
    }


@strawberry.type(description="An input of an analysis: pinned to a version, or floating.")
class AnalysisInput:
    pinned: bool
    pinned_version: int | None = strawberry.field(
        description="The pinned version number; null when the input floats."
    )
    link: strawberry.Private[domain.Link]

    @strawberry.field(description="The pinned version, or the latest one when the input floats.")
    async def artifact(self, info: Info) -> Artifact | None:
        found = await info.context.loaders.artifact.load(ref(self.link))
        return to_gql(found) if found else None


@strawberry.type(description="A link of a model version: pinned to a version, or floating.")
class ModelLink:
    type: ArtifactLinkType
    pinned: bool
    pinned_version: int | None = strawberry.field(
        description="The pinned version number; null when the link floats."
    )
    link: strawberry.Private[domain.Link]

    @strawberry.field(description="The pinned version, or the latest one when the link floats.")
    async def artifact(self, info: Info) -> Artifact | None:
        found = await info.context.loaders.artifact.load(ref(self.link))
        return to_gql(found) if found else None


@strawberry.interface(description="Where a dataset's or model's bytes are, if it was told.")
class Stored:
    uri: str | None
    digest: str | None = strawberry.field(
        description="<algorithm>:<lower-case hex>; an MLflow dataset digest is mlflow:<hex>."
    )
    size_bytes: BigInt | None


def _stored(a: domain.Artifact) -> dict[str, Any]:
    size = a.size_bytes
    return {"uri": a.uri, "digest": a.digest, "size_bytes": None if size is None else BigInt(size)}


@strawberry.type(description="A model version.")
@declared("Model", lambda a: to_gql(a))
class Model(Artifact, Stored):
    family: ModelFamily
    architecture: str
    parameter_count: BigInt
    training_config: JSON
    quality_score: float = strawberry.field(
        description="The effective score: the raw score, capped at 0.3 when provenance "
        "is incomplete."
    )
    raw_quality_score: float

    @strawberry.field
    async def evaluation_metrics(self, info: Info) -> list[Metric]:
        assert self.data.model is not None
        (found,) = await metrics_of(info, [self.data.model])
        return found

    @strawberry.field(
        description="Directions this version was registered with (metricDirections) that "
        "the registry's direction of the metric contradicts, by metric: "
        "METRIC_DIRECTION_CONFLICT. The registry's direction decides; these are kept as given."
    )
    async def metric_warnings(self, info: Info) -> list[MetricWarning]:
        assert self.data.model is not None
        return await metric_warnings(info, self.data.model)

    @strawberry.field(description="The evaluation metrics as one JSON object.")
    def evaluation_metrics_json(self) -> JSON:
        assert self.data.model is not None
        return cast(JSON, self.data.model.evaluation_metrics)

    @strawberry.field(
        description="This version's own links of every type, with their pin state, by type "
        "and target lineage." + PAGED
    )
    async def links(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> list[ModelLink]:
        links = await resolve.items(info, self.data, "Model", "links", limit, offset, after)
        found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
        return [
            ModelLink(
                type=ArtifactLinkType(lk.type.value),
                pinned=lk.pinned,
                pinned_version=a.version_number if a and lk.pinned else None,
                link=lk,
            )
            for lk, a in zip(links, found, strict=True)
        ]

    @strawberry.field(
        description="This version's lineage's metrics, version by version, oldest first: "
        f"at most maxPoints (1 to {history.MAX_POINTS}) versions, this one included. "
        "A longer lineage is sampled: EVEN spreads the points across it, LATEST takes the "
        "newest."
    )
    async def metric_history(
        self,
        info: Info,
        max_points: int = history.MAX_POINTS,
        sampling: HistorySampling = HistorySampling.EVEN,
    ) -> MetricHistory:
        a = self.data
        n = await info.context.loaders.lineage_sizes.load(a.lineage_id)
        shown, numbers = history.positions(n, max_points, sampling, a.version_number)
        await info.context.spend(len(numbers))
        found = await info.context.loaders.artifact.load_many(
            [ids.version_id(a.lineage_id, k) for k in numbers]
        )
        versions = [v for v in found if v is not None and v.model is not None]
        metrics = await metrics_of(info, [v.model for v in versions if v.model is not None])
        return MetricHistory(
            versions_count=n,
            sampling=shown,
            points=[
                MetricPoint(
                    version_id=strawberry.ID(v.id),
                    version_number=v.version_number,
                    created_at=v.created_at,
                    metrics=shown_metrics,
                )
                for v, shown_metrics in zip(versions, metrics, strict=True)
            ],
        )

    @strawberry.field
    def provenance(self) -> Provenance:
        assert self.data.model is not None
        warnings = [
            ProvenanceWarning(code=WarningCode(w.code.value), message=w.message)
            for w in self.data.model.warnings
        ]
        return Provenance(complete=not warnings, warnings=warnings)


@strawberry.type(description="A dataset version.")
@declared("Dataset", lambda a: to_gql(a))
class Dataset(Artifact, Stored):
    pass


@strawberry.type(description="An analysis version: the work that produced models.")
@declared("Analysis", lambda a: to_gql(a))
class Analysis(Artifact):
    @strawberry.field(description="The inputs of this analysis, by lineage id." + PAGED)
    async def inputs(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> list[AnalysisInput]:
        links = await resolve.items(info, self.data, "Analysis", "inputs", limit, offset, after)
        found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
        return [
            AnalysisInput(
                pinned=lk.pinned,
                pinned_version=a.version_number if a and lk.pinned else None,
                link=lk,
            )
            for lk, a in zip(links, found, strict=True)
        ]


@strawberry.type(description="A hypothesis version.")
@declared("Hypothesis", lambda a: to_gql(a))
class Hypothesis(Artifact):
    pass


def as_model(a: domain.Artifact) -> Model:
    m = a.model
    assert m is not None
    return Model(
        **_common(a),
        family=ModelFamily(m.family.value),
        architecture=m.architecture,
        parameter_count=BigInt(m.parameter_count),
        training_config=cast(JSON, m.training_config),
        quality_score=m.quality_score,
        raw_quality_score=m.raw_quality_score,
        **_stored(a),
    )


def as_dataset(a: domain.Artifact) -> Dataset:
    return Dataset(**_common(a), **_stored(a))


def as_analysis(a: domain.Artifact) -> Analysis:
    return Analysis(**_common(a))


def as_hypothesis(a: domain.Artifact) -> Hypothesis:
    return Hypothesis(**_common(a))


_CONVERT: dict[Kind, Callable[[domain.Artifact], Model | Dataset | Analysis | Hypothesis]] = {
    Kind.MODEL: as_model,
    Kind.DATASET: as_dataset,
    Kind.ANALYSIS: as_analysis,
    Kind.HYPOTHESIS: as_hypothesis,
}


def to_gql(a: domain.Artifact) -> Model | Dataset | Analysis | Hypothesis:
    """The GraphQL type of an artifact version, chosen by its kind."""
    return _CONVERT[a.kind](a)
