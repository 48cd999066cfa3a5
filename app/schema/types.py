"""GraphQL types: thin views over domain dataclasses; every relationship goes through a loader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry

from app import domain, metrics
from app.domain import Kind, LinkType
from app.schema import resolve
from app.schema.context import Context
from app.schema.scalars import JSON, BigInt

Info = strawberry.Info[Context, None]


@strawberry.enum(description="The four kinds of artifact.")
class ArtifactKind(Enum):
    MODEL = "model"
    DATASET = "dataset"
    ANALYSIS = "analysis"
    HYPOTHESIS = "hypothesis"


@strawberry.enum(description="The family a model belongs to.")
class ModelFamily(Enum):
    BIOPHYSICAL = "biophysical"
    DEEP_LEARNING = "deep_learning"
    STATISTICAL = "statistical"


@strawberry.enum(description="Whether a higher or a lower value of a metric is better.")
class MetricDirection(Enum):
    HIGHER = "higher"
    LOWER = "lower"


@strawberry.enum(description="The type of a provenance link, from dependent to dependency.")
class ArtifactLinkType(Enum):
    TRAINED_ON = "trained_on"
    PRODUCED_BY = "produced_by"
    TESTS_HYPOTHESIS = "tests_hypothesis"
    USES = "uses"
    ADDRESSES = "addresses"
    DERIVED_FROM = "derived_from"


@strawberry.enum(description="A stable code for each kind of provenance gap.")
class WarningCode(Enum):
    MISSING_TRAINING_DATA = "MISSING_TRAINING_DATA"
    MISSING_PRODUCING_ANALYSIS = "MISSING_PRODUCING_ANALYSIS"
    UNPINNED_INPUTS = "UNPINNED_INPUTS"
    MISSING_HYPOTHESIS_LINK = "MISSING_HYPOTHESIS_LINK"


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


@strawberry.type(description="A provenance gap, with a stable code and a message for people.")
class ProvenanceWarning:
    code: WarningCode
    message: str


@strawberry.type(description="Whether a model's provenance is complete, and what is missing.")
class Provenance:
    complete: bool
    warnings: list[ProvenanceWarning]


@strawberry.type(description="One evaluation metric of a model.")
class Metric:
    name: str
    value: float
    better: MetricDirection


@strawberry.type(description="An input of an analysis: pinned to a version, or floating.")
class AnalysisInput:
    pinned: bool
    pinned_version: int | None = strawberry.field(
        description="The pinned version number; null when the input floats."
    )
    link: strawberry.Private[domain.Link]

    @strawberry.field(description="The pinned version, or the latest one when the input floats.")
    async def artifact(self, info: Info) -> Artifact | None:
        found = await info.context.loaders.artifact.load(resolve.ref(self.link))
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
                name=k, value=v, better=MetricDirection(metrics.direction(k, m.metric_directions))
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

    @strawberry.field
    async def trained_on(self, info: Info) -> list[Dataset]:
        return [as_dataset(a) for a in await resolve.targets(info, self.data, LinkType.TRAINED_ON)]

    @strawberry.field
    async def produced_by(self, info: Info) -> Analysis | None:
        found = await resolve.targets(info, self.data, LinkType.PRODUCED_BY)
        return as_analysis(found[0]) if found else None

    @strawberry.field
    async def tests_hypotheses(self, info: Info) -> list[Hypothesis]:
        found = await resolve.targets(info, self.data, LinkType.TESTS_HYPOTHESIS)
        return [as_hypothesis(a) for a in found]

    @strawberry.field
    async def derived_from(self, info: Info) -> list[Model]:
        return [as_model(a) for a in await resolve.targets(info, self.data, LinkType.DERIVED_FROM)]

    @strawberry.field(description="Every version of this model's lineage, oldest first.")
    async def versions(self, info: Info) -> list[Model]:
        return [as_model(a) for a in await resolve.versions(info, self.data)]

    @strawberry.field(description="The latest version of this model's lineage.")
    async def latest(self, info: Info) -> Model:
        return as_model(await resolve.latest(info, self.data))


@strawberry.type(description="A dataset version.")
class Dataset(Artifact):
    @strawberry.field(description="Every version of this dataset's lineage, oldest first.")
    async def versions(self, info: Info) -> list[Dataset]:
        return [as_dataset(a) for a in await resolve.versions(info, self.data)]

    @strawberry.field
    async def latest(self, info: Info) -> Dataset:
        return as_dataset(await resolve.latest(info, self.data))

    @strawberry.field(description="Models trained on this version (or floating to it as latest).")
    async def trained_models(self, info: Info) -> list[Model]:
        return [as_model(a) for a in await resolve.sources(info, self.data, LinkType.TRAINED_ON)]

    @strawberry.field(description="Analyses that use this version as an input.")
    async def used_by(self, info: Info) -> list[Analysis]:
        return [as_analysis(a) for a in await resolve.sources(info, self.data, LinkType.USES)]


@strawberry.type(description="An analysis version: the work that produced models.")
class Analysis(Artifact):
    @strawberry.field
    async def inputs(self, info: Info) -> list[AnalysisInput]:
        links = await resolve.links_of(info, self.data, LinkType.USES)
        found = await info.context.loaders.artifact.load_many([resolve.ref(lk) for lk in links])
        return [
            AnalysisInput(
                pinned=lk.pinned,
                pinned_version=a.version_number if a and lk.pinned else None,
                link=lk,
            )
            for lk, a in zip(links, found, strict=True)
        ]

    @strawberry.field
    async def produced_models(self, info: Info) -> list[Model]:
        return [as_model(a) for a in await resolve.sources(info, self.data, LinkType.PRODUCED_BY)]

    @strawberry.field
    async def addresses(self, info: Info) -> list[Hypothesis]:
        return [
            as_hypothesis(a) for a in await resolve.targets(info, self.data, LinkType.ADDRESSES)
        ]

    @strawberry.field
    async def versions(self, info: Info) -> list[Analysis]:
        return [as_analysis(a) for a in await resolve.versions(info, self.data)]

    @strawberry.field
    async def latest(self, info: Info) -> Analysis:
        return as_analysis(await resolve.latest(info, self.data))


@strawberry.type(description="A hypothesis version.")
class Hypothesis(Artifact):
    @strawberry.field(description="Models that test this hypothesis.")
    async def tested_by(self, info: Info) -> list[Model]:
        found = await resolve.sources(info, self.data, LinkType.TESTS_HYPOTHESIS)
        return [as_model(a) for a in found]

    @strawberry.field(description="Analyses that address this hypothesis.")
    async def analyses(self, info: Info) -> list[Analysis]:
        return [as_analysis(a) for a in await resolve.sources(info, self.data, LinkType.ADDRESSES)]

    @strawberry.field
    async def versions(self, info: Info) -> list[Hypothesis]:
        return [as_hypothesis(a) for a in await resolve.versions(info, self.data)]

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
