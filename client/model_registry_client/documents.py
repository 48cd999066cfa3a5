"""Every GraphQL document the client sends, one per method, with the fragments each uses.

A test validates each document against the registry's schema.graphql, so a client that drifts
from the schema fails there rather than in a pipeline.
"""

from __future__ import annotations

import re

FRAGMENTS = {
    "ArtifactFields": """
fragment ArtifactFields on Artifact {
  __typename id lineageId kind versionNumber isLatest title description createdAt metadata
  archived archivedAt archivedReason tags { key value } aliases
}""",
    "LinkTarget": """
fragment LinkTarget on Artifact { id lineageId kind versionNumber }""",
    "DatasetFields": """
fragment DatasetFields on Dataset { ...ArtifactFields uri digest sizeBytes }""",
    "HypothesisFields": """
fragment HypothesisFields on Hypothesis { ...ArtifactFields }""",
    "AnalysisFields": """
fragment AnalysisFields on Analysis {
  ...ArtifactFields
  inputs { pinned pinnedVersion artifact { ...LinkTarget } }
  addresses { id }
}""",
    "ModelFields": """
fragment ModelFields on Model {
  ...ArtifactFields uri digest sizeBytes
  family architecture parameterCount trainingConfig qualityScore rawQualityScore
  evaluationMetricsJson
  evaluationMetrics { name value better stderr lower upper }
  provenance { complete warnings { code message } }
  links { type pinned pinnedVersion artifact { ...LinkTarget } }
}""",
    "AnyArtifact": """
fragment AnyArtifact on Artifact {
  ...ArtifactFields
  ... on Dataset { ...DatasetFields }
  ... on Hypothesis { ...HypothesisFields }
  ... on Analysis { ...AnalysisFields }
  ... on Model { ...ModelFields }
}""",
    "DiffRowFields": """
fragment DiffRowFields on DiffRow {
  key differs cells { modelId present value differsFromBaseline }
}""",
}

_SPREAD = re.compile(r"\.\.\.([A-Za-z_]\w*)")


def _document(operation: str) -> str:
    """The operation with every fragment it spreads, directly or through other fragments."""
    needed: list[str] = []
    pending = [name for name in _SPREAD.findall(operation) if name != "on"]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.append(name)
            pending += [n for n in _SPREAD.findall(FRAGMENTS[name]) if n != "on"]
    return operation.strip() + "".join(FRAGMENTS[name] for name in sorted(needed)) + "\n"


REGISTER_DATASET = _document("""
mutation RegisterDataset($input: RegisterDatasetInput!) {
  registerDataset(input: $input) { ...DatasetFields }
}""")

REGISTER_HYPOTHESIS = _document("""
mutation RegisterHypothesis($input: RegisterHypothesisInput!) {
  registerHypothesis(input: $input) { ...HypothesisFields }
}""")

REGISTER_ANALYSIS = _document("""
mutation RegisterAnalysis($input: RegisterAnalysisInput!) {
  registerAnalysis(input: $input) { ...AnalysisFields }
}""")

REGISTER_MODEL = _document("""
mutation RegisterModel($input: RegisterModelInput!) {
  registerModel(input: $input) { ...ModelFields }
}""")

ADD_LINKS = _document("""
mutation AddLinks($id: ID!, $links: [LinkInput!]!) {
  addLinks(id: $id, links: $links) { ...AnyArtifact }
}""")

REMOVE_LINKS = _document("""
mutation RemoveLinks($id: ID!, $links: [LinkInput!]!) {
  removeLinks(id: $id, links: $links) { ...AnyArtifact }
}""")

SET_ALIAS = _document("""
mutation SetAlias($lineageId: ID!, $alias: String!, $versionId: ID!, $reason: String!,
                  $expectedVersionId: ID, $force: Boolean!) {
  setAlias(lineageId: $lineageId, alias: $alias, versionId: $versionId, reason: $reason,
           expectedVersionId: $expectedVersionId, force: $force) { ...AnyArtifact }
}""")

REMOVE_ALIAS = _document("""
mutation RemoveAlias($lineageId: ID!, $alias: String!, $reason: String!, $expectedVersionId: ID) {
  removeAlias(lineageId: $lineageId, alias: $alias, reason: $reason,
              expectedVersionId: $expectedVersionId) { ...AnyArtifact }
}""")

PROTECT_ALIAS = _document("""
mutation ProtectAlias($lineageId: ID!, $alias: String!, $gate: [GateMetricInput!]!) {
  protectAlias(lineageId: $lineageId, alias: $alias, gate: $gate)
}""")

UNPROTECT_ALIAS = _document("""
mutation UnprotectAlias($lineageId: ID!, $alias: String!) {
  unprotectAlias(lineageId: $lineageId, alias: $alias)
}""")

SET_TAGS = _document("""
mutation SetTags($id: ID!, $tags: [TagInput!]!) {
  setTags(id: $id, tags: $tags) { ...AnyArtifact }
}""")

REMOVE_TAGS = _document("""
mutation RemoveTags($id: ID!, $keys: [String!]!) {
  removeTags(id: $id, keys: $keys) { ...AnyArtifact }
}""")

ARCHIVE_VERSION = _document("""
mutation ArchiveVersion($id: ID!, $reason: String!) {
  archiveVersion(id: $id, reason: $reason) { ...AnyArtifact }
}""")

RESTORE_VERSION = _document("""
mutation RestoreVersion($id: ID!, $reason: String!) {
  restoreVersion(id: $id, reason: $reason) { ...AnyArtifact }
}""")

DECLARE_METRIC = _document("""
mutation DeclareMetric($name: String!, $direction: MetricDirection!, $description: String!) {
  declareMetric(name: $name, direction: $direction, description: $description) {
    name direction decided declared description declaredAt declaredBy
  }
}""")

MODEL = _document("""
query Model($id: ID!) { model(id: $id) { ...ModelFields } }""")

DATASET = _document("""
query Dataset($id: ID!) { dataset(id: $id) { ...DatasetFields } }""")

ANALYSIS = _document("""
query Analysis($id: ID!) { analysis(id: $id) { ...AnalysisFields } }""")

HYPOTHESIS = _document("""
query Hypothesis($id: ID!) { hypothesis(id: $id) { ...HypothesisFields } }""")

ARTIFACT = _document("""
query Artifact($id: ID!) { artifact(id: $id) { ...AnyArtifact } }""")

VERSIONS = _document("""
query Versions($id: ID!, $limit: Int!, $after: String) {
  artifact(id: $id) {
    ... on Dataset {
      versions(limit: $limit, after: $after) { ...DatasetFields }
      versionsNextCursor(limit: $limit, after: $after)
    }
    ... on Hypothesis {
      versions(limit: $limit, after: $after) { ...HypothesisFields }
      versionsNextCursor(limit: $limit, after: $after)
    }
    ... on Analysis {
      versions(limit: $limit, after: $after) { ...AnalysisFields }
      versionsNextCursor(limit: $limit, after: $after)
    }
    ... on Model {
      versions(limit: $limit, after: $after) { ...ModelFields }
      versionsNextCursor(limit: $limit, after: $after)
    }
  }
}""")

MODELS = _document("""
query Models($filter: ModelFilter, $sort: ModelSort, $limit: Int!, $after: String) {
  models(filter: $filter, sort: $sort, limit: $limit, after: $after) {
    total hasNextPage nextCursor items { ...ModelFields }
  }
}""")

DATASETS = _document("""
query Datasets($filter: DatasetFilter, $limit: Int!, $after: String) {
  datasets(filter: $filter, limit: $limit, after: $after) {
    total hasNextPage nextCursor items { ...DatasetFields }
  }
}""")

ANALYSES = _document("""
query Analyses($filter: AnalysisFilter, $limit: Int!, $after: String) {
  analyses(filter: $filter, limit: $limit, after: $after) {
    total hasNextPage nextCursor items { ...AnalysisFields }
  }
}""")

HYPOTHESES = _document("""
query Hypotheses($filter: HypothesisFilter, $limit: Int!, $after: String) {
  hypotheses(filter: $filter, limit: $limit, after: $after) {
    total hasNextPage nextCursor items { ...HypothesisFields }
  }
}""")

ALIASES = _document("""
query Aliases($lineageId: ID!) {
  aliases(lineageId: $lineageId) {
    alias protected passes version { id }
    gate { metric threshold minImprovement minRelativeImprovement }
    checks { code message metric wanted got }
  }
}""")

COMPARE_MODELS = _document("""
query CompareModels($ids: [ID!]!, $baseline: ID) {
  compareModels(ids: $ids, baseline: $baseline) {
    baselineModelId
    models { id lineageId title qualityScore provenance { complete warnings { code message } } }
    duplicates { id modelId }
    metrics {
      name better verdict bestModelIds leaderModelIds overlappingModelIds reportedCount
      cells {
        modelId value stderr lower upper delta relativeDelta best withinUncertainty capped baseline
      }
    }
    metadata { ...DiffRowFields }
    trainingConfig { ...DiffRowFields }
    trainingData {
      datasets { dataset { id lineageId digest } modelIds sharing }
      similarity { modelIds versions { shared union value } lineages { shared union value } }
      sameContent { datasets { id } modelIds }
    }
    provenance { sharedAncestorIds ancestors { id modelIds sharing } }
  }
}""")

LINEAGE = _document("""
query Lineage($id: ID!, $direction: LineageDirection!, $maxDepth: Int!, $limit: Int!) {
  lineage(id: $id, direction: $direction, maxDepth: $maxDepth, limit: $limit) {
    root { ...LinkTarget }
    nodes { distance artifact { ...LinkTarget title } }
    edges { sourceId targetId type pinned pinnedVersion }
    truncated
  }
}""")

LINEAGE_RUN = _document("""
query LineageRun($runId: ID!) {
  lineageRun(runId: $runId) {
    runId jobNamespace jobName state stateTime
    events { eventType eventTime receivedAt }
    analysis { ...AnalysisFields producedModels { id } producedDatasets { id } }
  }
}""")

# Every document by its constant's name; the schema test walks this.
ALL = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and name != "FRAGMENTS" and isinstance(value, str)
}
