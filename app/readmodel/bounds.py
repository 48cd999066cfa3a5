"""How long each list field of the schema can be, known before any SQL runs.

The response budget's estimate (app.schema.budget) multiplies these bounds through the nesting
of a query. A list field missing here is a test failure: a list without a bound is how one
request came to resolve millions of objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import metric_history, paging, tags, validation
from app.domain import WarningCode
from app.events import MAX_EVENTS_PAGE
from app.openlineage.events import MAX_EVENTS_PER_RUN
from app.promotion import MAX_GATE_METRICS
from app.readmodel.fields import FIELDS, paged
from app.service.aliases import MAX_ALIASES
from app.service.compare import MAX_MODELS
from app.webhooks import rules as webhook_rules


@dataclass(frozen=True)
class Bound:
    """At most ``fixed`` items, or the value of an argument, or so many per compared model.

    ``argument`` names an argument of the field itself; ``parent_argument`` one of the field
    it is selected in (a page's ``items`` are bounded by the page's ``limit``), clamped to
    ``maximum`` so that an out-of-range value gets its own error, not this one. ``per_model``
    counts per model of the enclosing ``compareModels`` (at most 10). ``content`` lists hold
    values derived from the compared models' own bounded fields and nothing that leads back
    into the catalog; they count once.
    """

    fixed: int = 0
    argument: str | None = None
    parent_argument: str | None = None
    maximum: int = 0
    times: int = 1
    per_model: int = 0
    content: bool = False


_NESTED = Bound(argument="limit", maximum=paging.MAX_NESTED)
_PAGE = Bound(parent_argument="limit", maximum=paging.MAX_PAGE)
LINKS = validation.MAX_LINKS

LIST_BOUNDS: dict[tuple[str, str], Bound] = {
    ("ModelPage", "items"): _PAGE,
    ("DatasetPage", "items"): _PAGE,
    ("AnalysisPage", "items"): _PAGE,
    ("HypothesisPage", "items"): _PAGE,
    ("Query", "auditTrail"): _NESTED,
    ("Query", "artifactsByDigest"): _NESTED,
    # Every paged list the read model declares.
    **{
        (type_name, name): _NESTED
        for type_name, fields in FIELDS.items()
        for name, field in fields.items()
        if paged(field)
    },
    **{(type_name, "tags"): Bound(fixed=tags.MAX_TAGS) for type_name in FIELDS},
    ("Model", "evaluationMetrics"): Bound(fixed=validation.MAX_METRICS),
    ("Model", "metricWarnings"): Bound(fixed=validation.MAX_METRICS),
    ("MetricPage", "items"): _PAGE,
    ("EventPage", "items"): Bound(parent_argument="limit", maximum=MAX_EVENTS_PAGE),
    ("Query", "aliases"): Bound(fixed=MAX_ALIASES),
    ("LineageAlias", "gate"): Bound(fixed=MAX_GATE_METRICS),
    # Provenance, archiving, and two checks per gate metric at the most.
    ("LineageAlias", "checks"): Bound(fixed=2 + 2 * MAX_GATE_METRICS),
    ("MetricHistory", "points"): Bound(argument="maxPoints", maximum=metric_history.MAX_POINTS),
    ("MetricPoint", "metrics"): Bound(fixed=validation.MAX_METRICS),
    ("Provenance", "warnings"): Bound(fixed=len(WarningCode)),
    ("LineageGraph", "nodes"): Bound(parent_argument="limit", maximum=paging.MAX_LINEAGE_NODES),
    # Each edge leaves a kept node, and a version has at most MAX_LINKS links.
    ("LineageGraph", "edges"): Bound(
        parent_argument="limit", maximum=paging.MAX_LINEAGE_NODES, times=LINKS
    ),
    ("ModelComparison", "models"): Bound(per_model=1),
    ("ModelComparison", "metrics"): Bound(content=True),
    ("ModelComparison", "metadata"): Bound(content=True),
    ("ModelComparison", "trainingConfig"): Bound(content=True),
    ("MetricComparison", "cells"): Bound(per_model=1),
    ("DiffRow", "cells"): Bound(per_model=1),
    ("TrainingDataOverlap", "sharedSameVersion"): Bound(fixed=LINKS),
    # A lineage used at different versions is used by two models at least.
    ("TrainingDataOverlap", "sameLineageDifferentVersions"): Bound(per_model=LINKS // 2),
    ("DatasetVersionSplit", "uses"): Bound(per_model=1),
    ("TrainingDataOverlap", "uniqueToModel"): Bound(per_model=1),
    ("ModelDatasets", "datasets"): Bound(fixed=LINKS),
    ("ProvenanceComparison", "dags"): Bound(per_model=1),
    ("ProvenanceComparison", "uniqueAncestors"): Bound(per_model=1),
    # A model, what its links reach, and its analysis's inputs and hypotheses.
    ("ProvenanceDag", "nodes"): Bound(fixed=1 + 2 * LINKS),
    ("ProvenanceDag", "edges"): Bound(fixed=2 * LINKS),
    ("ModelComparison", "duplicates"): Bound(fixed=MAX_MODELS),
    # Each version shared by some is shared by two models at least.
    ("TrainingDataOverlap", "sharedBySome"): Bound(per_model=LINKS // 2),
    ("TrainingDataOverlap", "datasets"): Bound(per_model=LINKS),
    # Each group holds two trained-on versions at least.
    ("TrainingDataOverlap", "sameContent"): Bound(per_model=LINKS // 2),
    ("SameContent", "datasets"): Bound(per_model=LINKS),
    ("TrainingDataOverlap", "similarity"): Bound(fixed=MAX_MODELS * (MAX_MODELS - 1) // 2),
    ("ProvenanceComparison", "ancestors"): Bound(per_model=2 * LINKS),
    ("MergedProvenance", "nodes"): Bound(per_model=1 + 2 * LINKS),
    ("MergedProvenance", "edges"): Bound(per_model=2 * LINKS),
    ("LineageRun", "events"): Bound(fixed=MAX_EVENTS_PER_RUN),
    ("Query", "webhooks"): Bound(fixed=webhook_rules.MAX_WEBHOOKS),
    ("Query", "webhookDeliveries"): Bound(
        argument="limit", maximum=webhook_rules.MAX_DELIVERIES_PAGE
    ),
}

MODELS_MAX = MAX_MODELS
