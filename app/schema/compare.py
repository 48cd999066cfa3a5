"""GraphQL view of a model comparison."""

from __future__ import annotations

import asyncio
from typing import cast

import strawberry

from app import comparison
from app.comparison import DiffRow as DomainDiffRow
from app.domain import Artifact as DomainArtifact
from app.schema.scalars import JSON
from app.schema.types import Artifact, Dataset, Info, Model, as_dataset, as_model, to_gql
from app.schema.values import ArtifactLinkType, MetricDirection
from app.service import compare
from app.service.compare import Lineages


@strawberry.type
class MetricCell:
    model_id: strawberry.ID
    value: float | None = strawberry.field(description="Null when the model lacks the metric.")
    delta: float | None = strawberry.field(description="Value minus the first model's value.")
    best: bool


@strawberry.type
class MetricComparison:
    name: str
    better: MetricDirection
    cells: list[MetricCell]
    best_model_ids: list[strawberry.ID]


@strawberry.type
class DiffCell:
    model_id: strawberry.ID
    present: bool = strawberry.field(description="False when the model lacks this key.")
    value: JSON | None


@strawberry.type
class DiffRow:
    key: str
    differs: bool
    cells: list[DiffCell]


@strawberry.type
class ModelDatasetUse:
    model_id: strawberry.ID
    dataset: Dataset


@strawberry.type(description="One dataset lineage that the models use at different versions.")
class DatasetVersionSplit:
    lineage_id: strawberry.ID
    uses: list[ModelDatasetUse]


@strawberry.type
class ModelDatasets:
    model_id: strawberry.ID
    datasets: list[Dataset]


@strawberry.type
class TrainingDataOverlap:
    shared_same_version: list[Dataset] = strawberry.field(
        description="Dataset versions every model was trained on."
    )
    same_lineage_different_versions: list[DatasetVersionSplit]
    unique_to_model: list[ModelDatasets]


@strawberry.type
class DagNode:
    id: strawberry.ID
    artifact: Artifact
    shared_by_all: bool = strawberry.field(description="An ancestor of every compared model.")


@strawberry.type(description="source depends on target.")
class DagEdge:
    source: strawberry.ID
    target: strawberry.ID
    type: ArtifactLinkType
    pinned: bool


@strawberry.type
class ProvenanceDag:
    model_id: strawberry.ID
    nodes: list[DagNode]
    edges: list[DagEdge]


@strawberry.type
class ModelAncestors:
    model_id: strawberry.ID
    ancestor_ids: list[strawberry.ID]


@strawberry.type
class ProvenanceComparison:
    dags: list[ProvenanceDag]
    shared_ancestor_ids: list[strawberry.ID]
    unique_ancestors: list[ModelAncestors]


@strawberry.type(description="Models side by side, computed on the server.")
class ModelComparison:
    """Metrics and diffs come from the models alone; overlap and DAGs load links on demand."""

    found: strawberry.Private[list[DomainArtifact]]
    lineages_task: strawberry.Private[asyncio.Future[Lineages] | None] = None

    async def _lineages(self, info: Info) -> Lineages:
        if self.lineages_task is None:
            self.lineages_task = asyncio.ensure_future(
                info.context.loaders.run(lambda c: compare.lineages(c, self.found))
            )
        lin = await self.lineages_task
        info.context.loaders.prime(list(lin.artifacts.values()))
        return lin

    @strawberry.field
    def models(self) -> list[Model]:
        return [as_model(m) for m in self.found]

    @strawberry.field
    def metrics(self) -> list[MetricComparison]:
        return [
            MetricComparison(
                name=r.name,
                better=MetricDirection(r.better),
                cells=[
                    MetricCell(model_id=ID(x.model_id), value=x.value, delta=x.delta, best=x.best)
                    for x in r.cells
                ],
                best_model_ids=[ID(i) for i in r.best_model_ids],
            )
            for r in comparison.metric_rows(self.found)
        ]

    @strawberry.field
    def metadata(self) -> list[DiffRow]:
        return _diff_rows(comparison.metadata_rows(self.found), [m.id for m in self.found])

    @strawberry.field
    def training_config(self) -> list[DiffRow]:
        return _diff_rows(comparison.config_rows(self.found), [m.id for m in self.found])

    @strawberry.field
    async def training_data(self, info: Info) -> TrainingDataOverlap:
        lin = await self._lineages(info)
        data = lin.training_data
        return TrainingDataOverlap(
            shared_same_version=[as_dataset(lin.artifacts[d]) for d in data.shared],
            same_lineage_different_versions=[
                DatasetVersionSplit(
                    lineage_id=ID(lineage),
                    uses=[
                        ModelDatasetUse(model_id=ID(m), dataset=as_dataset(lin.artifacts[d]))
                        for m, d in uses
                    ],
                )
                for lineage, uses in data.version_splits.items()
            ],
            unique_to_model=[
                ModelDatasets(model_id=ID(m), datasets=[as_dataset(lin.artifacts[d]) for d in ds])
                for m, ds in data.unique.items()
            ],
        )

    @strawberry.field
    async def provenance(self, info: Info) -> ProvenanceComparison:
        lin = await self._lineages(info)
        shared = set(lin.shared_ancestors)
        return ProvenanceComparison(
            dags=[
                ProvenanceDag(
                    model_id=ID(d.model_id),
                    nodes=[
                        DagNode(
                            id=ID(n), artifact=to_gql(lin.artifacts[n]), shared_by_all=n in shared
                        )
                        for n in d.nodes
                    ],
                    edges=[
                        DagEdge(
                            source=ID(e.source),
                            target=ID(e.target),
                            type=ArtifactLinkType(e.type),
                            pinned=e.pinned,
                        )
                        for e in d.edges
                    ],
                )
                for d in lin.dags
            ],
            shared_ancestor_ids=[ID(i) for i in lin.shared_ancestors],
            unique_ancestors=[
                ModelAncestors(model_id=ID(m), ancestor_ids=[ID(i) for i in a])
                for m, a in lin.unique_ancestors.items()
            ],
        )


ID = strawberry.ID


def _diff_rows(rows: list[DomainDiffRow], model_ids: list[str]) -> list[DiffRow]:
    return [
        DiffRow(
            key=r.key,
            differs=r.differs,
            cells=[
                DiffCell(model_id=ID(mid), present=p, value=cast(JSON, v) if p else None)
                for mid, v, p in zip(model_ids, r.values, r.present, strict=True)
            ],
        )
        for r in rows
    ]
