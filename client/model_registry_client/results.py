"""What the registry answers, as typed dictionaries with the GraphQL names of the documents.

They are the JSON the registry sent, unchanged: keys are camelCase as in schema.graphql.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Tag(TypedDict):
    key: str
    value: str


class ArtifactRef(TypedDict):
    id: str
    lineageId: str
    kind: str
    versionNumber: int


# Functional syntax: a class body would mangle ``__typename``.
Artifact = TypedDict(
    "Artifact",
    {
        "__typename": str,
        "id": str,
        "lineageId": str,
        "kind": str,
        "versionNumber": int,
        "isLatest": bool,
        "title": str,
        "description": str,
        "createdAt": str,
        "metadata": dict[str, Any],
        "archived": bool,
        "archivedAt": str | None,
        "archivedReason": str | None,
        "tags": list[Tag],
        "aliases": list[str],
    },
)


class Dataset(Artifact):
    uri: str | None
    digest: str | None
    sizeBytes: int | None


class Hypothesis(Artifact):
    pass


class AnalysisInput(TypedDict):
    pinned: bool
    pinnedVersion: int | None
    artifact: ArtifactRef | None


class IdOnly(TypedDict):
    id: str


class Analysis(Artifact):
    inputs: list[AnalysisInput]
    addresses: list[IdOnly]


class Metric(TypedDict):
    name: str
    value: float
    better: str
    stderr: float | None
    lower: float | None
    upper: float | None


class Warning(TypedDict):
    code: str
    message: str


class Provenance(TypedDict):
    complete: bool
    warnings: list[Warning]


class ModelLink(TypedDict):
    type: str
    pinned: bool
    pinnedVersion: int | None
    artifact: ArtifactRef | None


class Model(Artifact):
    uri: str | None
    digest: str | None
    sizeBytes: int | None
    family: str
    architecture: str
    parameterCount: int
    trainingConfig: dict[str, Any]
    qualityScore: float
    rawQualityScore: float
    evaluationMetricsJson: dict[str, Any]
    evaluationMetrics: list[Metric]
    provenance: Provenance
    links: list[ModelLink]


class ModelPage(TypedDict):
    total: int
    hasNextPage: bool
    nextCursor: str | None
    items: list[Model]


class DatasetPage(TypedDict):
    total: int
    hasNextPage: bool
    nextCursor: str | None
    items: list[Dataset]


class AnalysisPage(TypedDict):
    total: int
    hasNextPage: bool
    nextCursor: str | None
    items: list[Analysis]


class HypothesisPage(TypedDict):
    total: int
    hasNextPage: bool
    nextCursor: str | None
    items: list[Hypothesis]


class RestModelPage(TypedDict):
    """``GET /api/models``: REST's snake_case items."""

    models: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class RegistryMetric(TypedDict):
    name: str
    direction: str
    decided: str
    declared: bool
    description: str | None
    declaredAt: str | None
    declaredBy: str | None


class GateRule(TypedDict):
    metric: str
    threshold: float | None
    minImprovement: float | None
    minRelativeImprovement: float | None


class GateCheck(TypedDict):
    code: str
    message: str
    metric: str | None
    wanted: float | None
    got: float | None


class LineageAlias(TypedDict):
    alias: str
    protected: bool
    passes: bool
    version: IdOnly
    gate: list[GateRule]
    checks: list[GateCheck]


class MetricCell(TypedDict):
    modelId: str
    value: float | None
    stderr: float | None
    lower: float | None
    upper: float | None
    delta: float | None
    relativeDelta: float | None
    best: bool
    withinUncertainty: bool
    capped: bool
    baseline: bool


class MetricComparison(TypedDict):
    name: str
    better: str
    verdict: str
    bestModelIds: list[str]
    leaderModelIds: list[str]
    overlappingModelIds: list[str]
    reportedCount: int
    cells: list[MetricCell]


class ComparedModel(TypedDict):
    id: str
    lineageId: str
    title: str
    qualityScore: float
    provenance: Provenance


class ModelComparison(TypedDict):
    baselineModelId: str
    models: list[ComparedModel]
    duplicates: list[dict[str, str]]
    metrics: list[MetricComparison]
    metadata: list[dict[str, Any]]
    trainingConfig: list[dict[str, Any]]
    trainingData: dict[str, Any]
    provenance: dict[str, Any]


class LineageNodeArtifact(ArtifactRef):
    title: str


class LineageNode(TypedDict):
    distance: int
    artifact: LineageNodeArtifact


class LineageEdge(TypedDict):
    sourceId: str
    targetId: str
    type: str
    pinned: bool
    pinnedVersion: int | None


class LineageGraph(TypedDict):
    root: ArtifactRef
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool


class RunEvent(TypedDict):
    eventType: str
    eventTime: str
    receivedAt: str


class RunAnalysis(Analysis):
    producedModels: list[IdOnly]
    producedDatasets: list[IdOnly]


class LineageRun(TypedDict):
    """An OpenLineage run as the registry recorded it."""

    runId: str
    jobNamespace: str
    jobName: str
    state: str
    stateTime: str
    events: list[RunEvent]
    analysis: RunAnalysis | None
