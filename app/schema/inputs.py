"""Input types of the mutations, and their translation into domain requests."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain import Family, Kind, LinkSpec, LinkType, NewArtifact
from app.promotion import GateMetric
from app.schema.scalars import BigInt
from app.schema.values import ArtifactLinkType, ModelFamily

REF_HELP = "A version id pins that version; a lineage id floats to the lineage's latest version."


@strawberry.input
class ArtifactFields:
    lineage_id: strawberry.ID = strawberry.field(
        description="The lineage to add a version to; a new lineage starts at version 1."
    )
    title: str
    description: str = ""
    metadata: JSON | None = None


@strawberry.input
class LocationFields:
    uri: str | None = strawberry.field(
        default=None,
        description="Where the bytes are: s3://, gs://, file://, https://, hf://, abfss://, "
        "az://, dbfs:/, runs:/, models:/ or mlflow-artifacts:/.",
    )
    digest: str | None = strawberry.field(
        default=None,
        description="<algorithm>:<hex> (sha256: and 64 hex characters, md5:, sha1:, ...) or "
        "a bare 8-hex MLflow dataset digest, stored as mlflow:<hex>.",
    )
    size_bytes: BigInt | None = None


@strawberry.input
class RegisterDatasetInput(LocationFields, ArtifactFields):
    produced_by: strawberry.ID | None = strawberry.field(
        default=None,
        description="The analysis (pipeline step) that wrote this version. " + REF_HELP,
    )


@strawberry.input
class RegisterHypothesisInput(ArtifactFields):
    pass


@strawberry.input
class RegisterAnalysisInput(ArtifactFields):
    inputs: list[strawberry.ID] = strawberry.field(default_factory=list, description=REF_HELP)
    addresses: list[strawberry.ID] = strawberry.field(default_factory=list, description=REF_HELP)


@strawberry.input
class RegisterModelInput(LocationFields, ArtifactFields):
    family: ModelFamily
    raw_quality_score: float
    architecture: str = ""
    parameter_count: BigInt = BigInt(0)
    training_config: JSON | None = None
    evaluation_metrics: JSON | None = strawberry.field(
        default=None,
        description="An object of metric name to a number, or to a number with its "
        'uncertainty: {"value": 0.023, "stderr": 0.002} or '
        '{"value": 0.9, "lower": 0.88, "upper": 0.93}.',
    )
    metric_directions: JSON | None = strawberry.field(
        default=None, description='Optional: metric name to "higher" or "lower" (is better).'
    )
    trained_on: list[strawberry.ID] = strawberry.field(default_factory=list, description=REF_HELP)
    produced_by: strawberry.ID | None = strawberry.field(default=None, description=REF_HELP)
    tests_hypotheses: list[strawberry.ID] = strawberry.field(default_factory=list)
    derived_from: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input(description="A link to add: its type and its target.")
class LinkInput:
    type: ArtifactLinkType
    target: strawberry.ID = strawberry.field(description=REF_HELP)


def _object(value: JSON | None) -> Any:
    """A JSON argument, absent meaning {}; validation rejects anything but an object."""
    return {} if value is None else value


def _common(kind: Kind, f: ArtifactFields, links: list[LinkSpec]) -> dict[str, Any]:
    return {
        "kind": kind,
        "lineage_id": str(f.lineage_id),
        "title": f.title,
        "description": f.description,
        "metadata": _object(f.metadata),
        "links": tuple(links),
    }


def _specs(link_type: LinkType, refs: list[strawberry.ID]) -> list[LinkSpec]:
    return [LinkSpec(link_type, str(r)) for r in refs]


def _location(f: LocationFields) -> dict[str, Any]:
    size = f.size_bytes
    return {"uri": f.uri, "digest": f.digest, "size_bytes": None if size is None else int(size)}


def plain(kind: Kind, f: RegisterDatasetInput | RegisterHypothesisInput) -> NewArtifact:
    if isinstance(f, RegisterDatasetInput):
        producer = _specs(LinkType.PRODUCED_BY, [f.produced_by] if f.produced_by else [])
        return NewArtifact(**_common(kind, f, producer), **_location(f))
    return NewArtifact(**_common(kind, f, []))


def analysis(f: RegisterAnalysisInput) -> NewArtifact:
    links = _specs(LinkType.USES, f.inputs) + _specs(LinkType.ADDRESSES, f.addresses)
    return NewArtifact(**_common(Kind.ANALYSIS, f, links))


def model(f: RegisterModelInput) -> NewArtifact:
    links = (
        _specs(LinkType.TRAINED_ON, f.trained_on)
        + _specs(LinkType.PRODUCED_BY, [f.produced_by] if f.produced_by else [])
        + _specs(LinkType.TESTS_HYPOTHESIS, f.tests_hypotheses)
        + _specs(LinkType.DERIVED_FROM, f.derived_from)
    )
    return NewArtifact(
        **_common(Kind.MODEL, f, links),
        family=Family(f.family.value),
        architecture=f.architecture,
        parameter_count=int(f.parameter_count),
        training_config=_object(f.training_config),
        evaluation_metrics=_object(f.evaluation_metrics),
        metric_directions=_object(f.metric_directions),
        raw_quality_score=f.raw_quality_score,
        **_location(f),
    )


def link_specs(links: list[LinkInput]) -> list[LinkSpec]:
    return [LinkSpec(LinkType(lk.type.value), str(lk.target)) for lk in links]


@strawberry.input(
    description="A metric a protected alias's gate checks; better follows its direction."
)
class GateMetricInput:
    metric: str
    threshold: float | None = strawberry.field(
        default=None, description="The value must be at least as good as this."
    )
    min_improvement: float | None = strawberry.field(
        default=None, description="Better than the version the alias holds by this much."
    )
    min_relative_improvement: float | None = strawberry.field(
        default=None,
        description="Better than the held version's value by this fraction of it (0.02: 2%).",
    )

    def to_domain(self) -> GateMetric:
        return GateMetric(
            self.metric, self.threshold, self.min_improvement, self.min_relative_improvement
        )
