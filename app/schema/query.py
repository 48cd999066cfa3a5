"""The root Query: lists, lookups by id or lineage id, and the lineage graph."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app import domain
from app.domain import Family, Kind
from app.repo.catalog import ModelQuery
from app.schema.compare import ModelComparison
from app.schema.scalars import JSON
from app.schema.types import (
    Analysis,
    Artifact,
    Dataset,
    Hypothesis,
    Info,
    Model,
    as_analysis,
    as_dataset,
    as_hypothesis,
    as_model,
    to_gql,
)
from app.schema.values import LIMIT, PAGED, ArtifactLinkType, Limit, ModelFamily, Offset
from app.service import catalog, compare, lineage, writes


@strawberry.enum
class ModelSortField(Enum):
    QUALITY_SCORE = "quality_score"
    CREATED_AT = "created_at"
    PARAMETER_COUNT = "parameter_count"


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.enum(description="UPSTREAM follows dependencies; DOWNSTREAM finds dependents.")
class LineageDirection(Enum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"


@strawberry.input
class ModelFilter:
    family: ModelFamily | None = None
    trained_on: strawberry.ID | None = strawberry.field(
        default=None, description="A dataset version id, or a lineage id for any of its versions."
    )
    tests_hypothesis: strawberry.ID | None = strawberry.field(
        default=None, description="A hypothesis version id, or a lineage id."
    )
    latest_only: bool = False
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )


@strawberry.input
class ModelSort:
    field: ModelSortField = ModelSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.type
class ModelPage:
    query: strawberry.Private[ModelQuery | None]

    @strawberry.field
    async def items(self, info: Info) -> list[Model]:
        found = await info.context.loaders.run(lambda c: catalog.list_models(c, self.query))
        info.context.loaders.prime(found)
        return [as_model(a) for a in found]

    @strawberry.field(description="How many models match the filter, ignoring paging.")
    async def total(self, info: Info) -> int:
        return await info.context.loaders.run(lambda c: catalog.count_models(c, self.query))


@strawberry.type
class DatasetPage:
    items: list[Dataset]
    total: int


@strawberry.type
class AnalysisPage:
    items: list[Analysis]
    total: int


@strawberry.type
class HypothesisPage:
    items: list[Hypothesis]
    total: int


@strawberry.type
class LineageNode:
    artifact: Artifact
    distance: int = strawberry.field(description="Links between this node and the start.")


@strawberry.type(description="source depends on target.")
class LineageEdge:
    source_id: strawberry.ID
    target_id: strawberry.ID
    type: ArtifactLinkType
    pinned: bool
    pinned_version: int | None


@strawberry.type
class LineageGraph:
    root: Artifact
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(description="True when maxDepth or limit cut the graph.")


async def _one(info: Info, ref: str, kind: Kind | None) -> domain.Artifact | None:
    found = await info.context.loaders.artifact.load(ref)
    if found is None or (kind is not None and found.kind is not kind):
        return None
    return found


def _version_number(version_id: str) -> int:
    return int(version_id.rsplit("-v", 1)[1])


async def _page(
    info: Info, kind: Kind, latest_only: bool, search: str | None, limit: int, offset: int
) -> catalog.Page:
    page = await info.context.loaders.run(
        lambda c: catalog.list_kind(
            c, kind, latest_only=latest_only, search=search, limit=limit, offset=offset
        )
    )
    info.context.loaders.prime(page.items)
    return page


@strawberry.type(description="One recorded write: who, what, when, and links before and after.")
class AuditEntry:
    at: datetime
    actor: str
    action: str
    artifact_id: strawberry.ID
    before: JSON | None
    after: JSON | None


@strawberry.type
class Query:
    @strawberry.field(description="Models, filtered, sorted (ties broken by id) and paged.")
    async def models(
        self,
        info: Info,
        filter: ModelFilter | None = None,
        sort: ModelSort | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> ModelPage:
        f = filter or ModelFilter()
        s = sort or ModelSort()
        wanted = catalog.ModelFilter(
            family=Family(f.family.value) if f.family else None,
            dataset=f.trained_on,
            hypothesis=f.tests_hypothesis,
            latest_only=f.latest_only,
            search=f.search,
        )
        q = await info.context.loaders.run(
            lambda c: catalog.model_query(
                c, wanted, s.field.value, s.direction.value, limit, offset
            )
        )
        return ModelPage(query=q)

    @strawberry.field(description="A model by version id, or by lineage id for its latest version.")
    async def model(self, info: Info, id: strawberry.ID) -> Model | None:
        found = await _one(info, id, Kind.MODEL)
        return as_model(found) if found else None

    @strawberry.field
    async def dataset(self, info: Info, id: strawberry.ID) -> Dataset | None:
        found = await _one(info, id, Kind.DATASET)
        return as_dataset(found) if found else None

    @strawberry.field
    async def analysis(self, info: Info, id: strawberry.ID) -> Analysis | None:
        found = await _one(info, id, Kind.ANALYSIS)
        return as_analysis(found) if found else None

    @strawberry.field
    async def hypothesis(self, info: Info, id: strawberry.ID) -> Hypothesis | None:
        found = await _one(info, id, Kind.HYPOTHESIS)
        return as_hypothesis(found) if found else None

    @strawberry.field(description="Any artifact by version id or lineage id.")
    async def artifact(self, info: Info, id: strawberry.ID) -> Artifact | None:
        found = await _one(info, id, None)
        return to_gql(found) if found else None

    @strawberry.field
    async def datasets(
        self,
        info: Info,
        latest_only: bool = False,
        search: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> DatasetPage:
        page = await _page(info, Kind.DATASET, latest_only, search, limit, offset)
        return DatasetPage(items=[as_dataset(a) for a in page.items], total=page.total)

    @strawberry.field
    async def analyses(
        self,
        info: Info,
        latest_only: bool = False,
        search: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> AnalysisPage:
        page = await _page(info, Kind.ANALYSIS, latest_only, search, limit, offset)
        return AnalysisPage(items=[as_analysis(a) for a in page.items], total=page.total)

    @strawberry.field
    async def hypotheses(
        self,
        info: Info,
        latest_only: bool = False,
        search: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> HypothesisPage:
        page = await _page(info, Kind.HYPOTHESIS, latest_only, search, limit, offset)
        return HypothesisPage(items=[as_hypothesis(a) for a in page.items], total=page.total)

    @strawberry.field(
        description="Compare 2 to 10 models (version or lineage ids; duplicates collapsed): "
        "metrics, metadata and configuration diffs, training data overlap, provenance DAGs."
    )
    async def compare_models(self, info: Info, ids: list[strawberry.ID]) -> ModelComparison:
        wanted = [str(i) for i in ids]
        found = await info.context.loaders.run(lambda c: compare.models(c, wanted))
        info.context.loaders.prime(found)
        return ModelComparison(found=found)

    @strawberry.field(description="Every recorded write to a version, oldest first." + PAGED)
    async def audit_trail(
        self, info: Info, id: strawberry.ID, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[AuditEntry]:
        found = await _one(info, id, None)
        if found is None:
            return []
        entries = await writes.audit_trail(info.context.db, [found.id], limit, offset)
        return [
            AuditEntry(
                at=e.at,
                actor=e.actor,
                action=e.action,
                artifact_id=strawberry.ID(e.artifact_id),
                before=e.before,
                after=e.after,
            )
            for e in entries
        ]

    @strawberry.field(
        description="The provenance graph around an artifact. DOWNSTREAM answers: what is "
        "affected if this version is retracted?"
    )
    async def lineage(
        self,
        info: Info,
        id: strawberry.ID,
        direction: LineageDirection = LineageDirection.UPSTREAM,
        max_depth: int = 3,
        limit: int = 100,
    ) -> LineageGraph | None:
        lineage.check_bounds(max_depth, limit)
        start = await _one(info, id, None)
        if start is None:
            return None
        graph = await info.context.loaders.run(
            lambda c: lineage.lineage(
                c,
                start.id,
                downstream=direction is LineageDirection.DOWNSTREAM,
                max_depth=max_depth,
                limit=limit,
            )
        )
        ordered = sorted(graph.distances.items(), key=lambda item: (item[1], item[0]))
        found = await info.context.loaders.artifact.load_many([n for n, _ in ordered])
        nodes = [
            LineageNode(artifact=to_gql(a), distance=d)
            for (_, d), a in zip(ordered, found, strict=True)
            if a is not None
        ]
        edges = [
            LineageEdge(
                source_id=strawberry.ID(e.source_id),
                target_id=strawberry.ID(e.target_id),
                type=ArtifactLinkType(e.type.value),
                pinned=e.pinned,
                pinned_version=_version_number(e.target_id) if e.pinned else None,
            )
            for e in sorted(graph.edges, key=lambda e: (e.depth, e.source_id, e.target_id))
        ]
        return LineageGraph(root=to_gql(start), nodes=nodes, edges=edges, truncated=graph.truncated)
