"""GraphQL types: thin views over domain dataclasses; every relationship goes through a loader.

Every list of artifacts is paged the same way: ``limit`` (100 by default, at most 1000) and
``offset`` arguments, and a sibling ``...Count`` field with the length of the whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import strawberry

from app import domain, metric_directions
from app.domain import Kind, LinkType
from app.reach import ref
from app.schema import resolve
from app.schema.context import Context
from app.schema.scalars import JSON, BigInt
from app.schema.values import (
    LIMIT,
    PAGED,
    ArtifactKind,
    Limit,
    Metric,
    MetricDirection,
    ModelFamily,
    Offset,
    Provenance,
    ProvenanceWarning,
    WarningCode,
    count_of,
)

Info = strawberry.Info[Context, None]


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
    data: strawberry.Private[domain.Artifact]


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


@strawberry.type(description="A model version.")
class Model(Artifact):
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
    def evaluation_metrics(self) -> list[Metric]:
        m = self.data.model
        assert m is not None
        return [
            Metric(
                name=k,
                value=v,
                better=MetricDirection(metric_directions.direction(k, m.metric_directions)),
            )
            for k, v in sorted(m.evaluation_metrics.items())
        ]

    @strawberry.field(description="The evaluation metrics as one JSON object.")
    def evaluation_metrics_json(self) -> JSON:
        assert self.data.model is not None
        return cast(JSON, self.data.model.evaluation_metrics)

    @strawberry.field
    def provenance(self) -> Provenance:
        assert self.data.model is not None
        warnings = [
            ProvenanceWarning(code=WarningCode(w.code.value), message=w.message)
            for w in self.data.model.warnings
        ]
        return Provenance(complete=not warnings, warnings=warnings)

    @strawberry.field(description="The dataset versions this model was trained on." + PAGED)
    async def trained_on(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Dataset]:
        found = await resolve.targets(info, self.data, LinkType.TRAINED_ON, limit, offset)
        return [as_dataset(a) for a in found]

    @strawberry.field(description=count_of("trainedOn"))
    async def trained_on_count(self, info: Info) -> int:
        return await resolve.count_targets(info, self.data, LinkType.TRAINED_ON)

    @strawberry.field
    async def produced_by(self, info: Info) -> Analysis | None:
        found = await resolve.target(info, self.data, LinkType.PRODUCED_BY)
        return as_analysis(found) if found else None

    @strawberry.field(description="The hypotheses this model tests." + PAGED)
    async def tests_hypotheses(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Hypothesis]:
        found = await resolve.targets(info, self.data, LinkType.TESTS_HYPOTHESIS, limit, offset)
        return [as_hypothesis(a) for a in found]

    @strawberry.field(description=count_of("testsHypotheses"))
    async def tests_hypotheses_count(self, info: Info) -> int:
        return await resolve.count_targets(info, self.data, LinkType.TESTS_HYPOTHESIS)

    @strawberry.field(description="The models this one was derived from." + PAGED)
    async def derived_from(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Model]:
        found = await resolve.targets(info, self.data, LinkType.DERIVED_FROM, limit, offset)
        return [as_model(a) for a in found]

    @strawberry.field(description=count_of("derivedFrom"))
    async def derived_from_count(self, info: Info) -> int:
        return await resolve.count_targets(info, self.data, LinkType.DERIVED_FROM)

    @strawberry.field(description="Every version of this model's lineage, oldest first." + PAGED)
    async def versions(self, info: Info, limit: Limit = LIMIT, offset: Offset = 0) -> list[Model]:
        return [as_model(a) for a in await resolve.versions(info, self.data, limit, offset)]

    @strawberry.field(description=count_of("versions"))
    async def versions_count(self, info: Info) -> int:
        return await resolve.count_versions(info, self.data)

    @strawberry.field(description="The latest version of this model's lineage.")
    async def latest(self, info: Info) -> Model:
        return as_model(await resolve.latest(info, self.data))


@strawberry.type(description="A dataset version.")
class Dataset(Artifact):
    @strawberry.field(description="Every version of this dataset's lineage, oldest first." + PAGED)
    async def versions(self, info: Info, limit: Limit = LIMIT, offset: Offset = 0) -> list[Dataset]:
        return [as_dataset(a) for a in await resolve.versions(info, self.data, limit, offset)]

    @strawberry.field(description=count_of("versions"))
    async def versions_count(self, info: Info) -> int:
        return await resolve.count_versions(info, self.data)

    @strawberry.field
    async def latest(self, info: Info) -> Dataset:
        return as_dataset(await resolve.latest(info, self.data))

    @strawberry.field(
        description="Models trained on this version (or floating to it as latest), by id." + PAGED
    )
    async def trained_models(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Model]:
        found = await resolve.sources(info, self.data, LinkType.TRAINED_ON, limit, offset)
        return [as_model(a) for a in found]

    @strawberry.field(description=count_of("trainedModels"))
    async def trained_models_count(self, info: Info) -> int:
        return await resolve.count_sources(info, self.data, LinkType.TRAINED_ON)

    @strawberry.field(description="Analyses that use this version as an input, by id." + PAGED)
    async def used_by(self, info: Info, limit: Limit = LIMIT, offset: Offset = 0) -> list[Analysis]:
        found = await resolve.sources(info, self.data, LinkType.USES, limit, offset)
        return [as_analysis(a) for a in found]

    @strawberry.field(description=count_of("usedBy"))
    async def used_by_count(self, info: Info) -> int:
        return await resolve.count_sources(info, self.data, LinkType.USES)


@strawberry.type(description="An analysis version: the work that produced models.")
class Analysis(Artifact):
    @strawberry.field(description="The inputs of this analysis, by lineage id." + PAGED)
    async def inputs(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[AnalysisInput]:
        links = await resolve.page_of_links(info, self.data, LinkType.USES, limit, offset)
        found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
        return [
            AnalysisInput(
                pinned=lk.pinned,
                pinned_version=a.version_number if a and lk.pinned else None,
                link=lk,
            )
            for lk, a in zip(links, found, strict=True)
        ]

    @strawberry.field(description=count_of("inputs"))
    async def inputs_count(self, info: Info) -> int:
        return await resolve.count_targets(info, self.data, LinkType.USES)

    @strawberry.field(description="Models this analysis produced, by id." + PAGED)
    async def produced_models(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Model]:
        found = await resolve.sources(info, self.data, LinkType.PRODUCED_BY, limit, offset)
        return [as_model(a) for a in found]

    @strawberry.field(description=count_of("producedModels"))
    async def produced_models_count(self, info: Info) -> int:
        return await resolve.count_sources(info, self.data, LinkType.PRODUCED_BY)

    @strawberry.field(description="The hypotheses this analysis addresses." + PAGED)
    async def addresses(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Hypothesis]:
        found = await resolve.targets(info, self.data, LinkType.ADDRESSES, limit, offset)
        return [as_hypothesis(a) for a in found]

    @strawberry.field(description=count_of("addresses"))
    async def addresses_count(self, info: Info) -> int:
        return await resolve.count_targets(info, self.data, LinkType.ADDRESSES)

    @strawberry.field(description="Every version of this analysis's lineage, oldest first." + PAGED)
    async def versions(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Analysis]:
        return [as_analysis(a) for a in await resolve.versions(info, self.data, limit, offset)]

    @strawberry.field(description=count_of("versions"))
    async def versions_count(self, info: Info) -> int:
        return await resolve.count_versions(info, self.data)

    @strawberry.field
    async def latest(self, info: Info) -> Analysis:
        return as_analysis(await resolve.latest(info, self.data))


@strawberry.type(description="A hypothesis version.")
class Hypothesis(Artifact):
    @strawberry.field(description="Models that test this hypothesis, by id." + PAGED)
    async def tested_by(self, info: Info, limit: Limit = LIMIT, offset: Offset = 0) -> list[Model]:
        found = await resolve.sources(info, self.data, LinkType.TESTS_HYPOTHESIS, limit, offset)
        return [as_model(a) for a in found]

    @strawberry.field(description=count_of("testedBy"))
    async def tested_by_count(self, info: Info) -> int:
        return await resolve.count_sources(info, self.data, LinkType.TESTS_HYPOTHESIS)

    @strawberry.field(description="Analyses that address this hypothesis, by id." + PAGED)
    async def analyses(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Analysis]:
        found = await resolve.sources(info, self.data, LinkType.ADDRESSES, limit, offset)
        return [as_analysis(a) for a in found]

    @strawberry.field(description=count_of("analyses"))
    async def analyses_count(self, info: Info) -> int:
        return await resolve.count_sources(info, self.data, LinkType.ADDRESSES)

    @strawberry.field(
        description="Every version of this hypothesis's lineage, oldest first." + PAGED
    )
    async def versions(
        self, info: Info, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Hypothesis]:
        return [as_hypothesis(a) for a in await resolve.versions(info, self.data, limit, offset)]

    @strawberry.field(description=count_of("versions"))
    async def versions_count(self, info: Info) -> int:
        return await resolve.count_versions(info, self.data)

    @strawberry.field
    async def latest(self, info: Info) -> Hypothesis:
        return as_hypothesis(await resolve.latest(info, self.data))


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
    )


def as_dataset(a: domain.Artifact) -> Dataset:
    return Dataset(**_common(a))


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
