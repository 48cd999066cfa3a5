"""GraphQL view of what compared models share: training data and provenance."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from app import overlap
from app.overlap import Jaccard as DomainJaccard
from app.overlap import Share
from app.overlap import Sharing as DomainSharing
from app.schema.types import Artifact, Dataset, as_dataset, to_gql
from app.schema.values import ArtifactLinkType
from app.service.compare import Lineages

ID = strawberry.ID
Sharing = DomainSharing

strawberry.enum(
    DomainSharing,
    name="Sharing",
    description="ALL: every compared model; SOME: two or more but not all; ONE: a single model.",
)


@strawberry.type
class ModelDatasetUse:
    model_id: ID
    dataset: Dataset


@strawberry.type(description="One dataset lineage that the models use at different versions.")
class DatasetVersionSplit:
    lineage_id: ID
    uses: list[ModelDatasetUse]


@strawberry.type
class ModelDatasets:
    model_id: ID
    datasets: list[Dataset]


@strawberry.type(description="A dataset version and the compared models trained on it.")
class DatasetShare:
    dataset: Dataset
    model_ids: list[ID]
    sharing: Sharing


@strawberry.type(description="Shared over union of two sets; value is null when both are empty.")
class Jaccard:
    shared: int
    union: int
    value: float | None


@strawberry.type(description="How alike two compared models' training data is.")
class ModelSimilarity:
    model_ids: list[ID]
    versions: Jaccard = strawberry.field(description="Over the dataset versions.")
    lineages: Jaccard = strawberry.field(description="Over the datasets' lineages.")


@strawberry.type(
    description="Different dataset versions whose equal digests (of at least 128 bits) say "
    "they hold the same bytes, and the compared models trained on any of them."
)
class SameContent:
    datasets: list[Dataset]
    model_ids: list[ID]


@strawberry.type(
    description="Every trained-on dataset version of every compared model. Each version is "
    "in exactly one of the first four groups: a lineage used at several versions is in "
    "sameLineageDifferentVersions; any other version is shared by all, by some, or unique."
)
class TrainingDataOverlap:
    shared_same_version: list[Dataset] = strawberry.field(
        description="Dataset versions every model was trained on."
    )
    shared_by_some: list[DatasetShare] = strawberry.field(
        description="Dataset versions two or more models, but not all, were trained on."
    )
    same_lineage_different_versions: list[DatasetVersionSplit]
    unique_to_model: list[ModelDatasets]
    datasets: list[DatasetShare] = strawberry.field(
        description="Every trained-on version, once, with the models trained on it."
    )
    similarity: list[ModelSimilarity] = strawberry.field(
        description="Each pair of compared models, in the order compared. Versions with the "
        "same content (sameContent) count as one."
    )
    same_content: list[SameContent] = strawberry.field(
        description="Groups of two or more different trained-on versions with the same content: "
        "models trained on different versions of identical bytes."
    )


@strawberry.type
class DagNode:
    id: ID
    artifact: Artifact
    shared_by_all: bool = strawberry.field(description="An ancestor of every compared model.")
    sharing: Sharing = strawberry.field(description="How many compared models' DAGs hold it.")
    model_ids: list[ID] = strawberry.field(description="The compared models whose DAG holds it.")


@strawberry.type(description="source depends on target.")
class DagEdge:
    source: ID
    target: ID
    type: ArtifactLinkType
    pinned: bool


@strawberry.type
class ProvenanceDag:
    model_id: ID
    nodes: list[DagNode]
    edges: list[DagEdge]


@strawberry.type
class ModelAncestors:
    model_id: ID
    ancestor_ids: list[ID]


@strawberry.type(description="An ancestor and the compared models it is an ancestor of.")
class AncestorShare:
    id: ID
    artifact: Artifact
    model_ids: list[ID]
    sharing: Sharing


@strawberry.type
class MergedNode:
    id: ID
    artifact: Artifact
    compared: bool = strawberry.field(description="One of the compared models.")
    model_ids: list[ID] = strawberry.field(
        description="The compared models it is, or is an ancestor of."
    )
    sharing: Sharing


@strawberry.type(description="source depends on target.")
class MergedEdge:
    source: ID
    target: ID
    type: ArtifactLinkType
    pinned: bool
    model_ids: list[ID] = strawberry.field(description="The models whose DAG has this edge.")


@strawberry.type(description="The union of the compared models' provenance DAGs.")
class MergedProvenance:
    nodes: list[MergedNode]
    edges: list[MergedEdge]


@strawberry.type
class ProvenanceComparison:
    dags: list[ProvenanceDag]
    shared_ancestor_ids: list[ID]
    unique_ancestors: list[ModelAncestors]
    ancestors: list[AncestorShare] = strawberry.field(
        description="Every ancestor of any compared model, with the models that share it."
    )
    merged: MergedProvenance


def _ids(ids: Sequence[str]) -> list[ID]:
    return [ID(i) for i in ids]


def _jaccard(j: DomainJaccard) -> Jaccard:
    return Jaccard(shared=j.shared, union=j.union, value=j.value)


def _dataset_share(lin: Lineages, s: Share) -> DatasetShare:
    return DatasetShare(
        dataset=as_dataset(lin.artifacts[s.id]), model_ids=_ids(s.model_ids), sharing=s.sharing
    )


def training_data(lin: Lineages) -> TrainingDataOverlap:
    data = lin.training_data
    return TrainingDataOverlap(
        shared_same_version=[as_dataset(lin.artifacts[d]) for d in data.shared],
        shared_by_some=[_dataset_share(lin, s) for s in data.shared_by_some],
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
        datasets=[_dataset_share(lin, s) for s in data.datasets],
        similarity=[
            ModelSimilarity(
                model_ids=_ids(s.model_ids),
                versions=_jaccard(s.versions),
                lineages=_jaccard(s.lineages),
            )
            for s in data.similarity
        ],
        same_content=[
            SameContent(
                datasets=[as_dataset(lin.artifacts[d]) for d in g.dataset_ids],
                model_ids=_ids(g.model_ids),
            )
            for g in data.same_content
        ],
    )


def provenance(lin: Lineages) -> ProvenanceComparison:
    n = len(lin.dags)
    shared = set(lin.shared_ancestors)

    def node(i: str) -> DagNode:
        owners = lin.owners[i]
        return DagNode(
            id=ID(i),
            artifact=to_gql(lin.artifacts[i]),
            shared_by_all=i in shared,
            sharing=overlap.sharing(len(owners), n),
            model_ids=_ids(owners),
        )

    return ProvenanceComparison(
        dags=[
            ProvenanceDag(
                model_id=ID(d.model_id),
                nodes=[node(i) for i in d.nodes],
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
        shared_ancestor_ids=_ids(lin.shared_ancestors),
        unique_ancestors=[
            ModelAncestors(model_id=ID(m), ancestor_ids=_ids(a))
            for m, a in lin.unique_ancestors.items()
        ],
        ancestors=[
            AncestorShare(
                id=ID(s.id),
                artifact=to_gql(lin.artifacts[s.id]),
                model_ids=_ids(s.model_ids),
                sharing=s.sharing,
            )
            for s in lin.ancestors
        ],
        merged=MergedProvenance(
            nodes=[
                MergedNode(
                    id=ID(x.id),
                    artifact=to_gql(lin.artifacts[x.id]),
                    compared=x.compared,
                    model_ids=_ids(x.model_ids),
                    sharing=x.sharing,
                )
                for x in lin.merged.nodes
            ],
            edges=[
                MergedEdge(
                    source=ID(e.source),
                    target=ID(e.target),
                    type=ArtifactLinkType(e.type),
                    pinned=e.pinned,
                    model_ids=_ids(e.model_ids),
                )
                for e in lin.merged.edges
            ],
        ),
    )
