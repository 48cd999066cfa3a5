"""SQL snippets that build GraphQL values inside PostgreSQL, matching the resolvers' output."""

from __future__ import annotations

import re
from typing import Any

# Every stored id matches this; anything else names nothing.
POSSIBLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class Unsupported(Exception):
    """This query is answered by the resolvers instead."""


def value_of(v: Any) -> Any:
    """The Python value of a coerced argument (enum members carry theirs in ``value``)."""
    return getattr(v, "value", v)


# A link reaches the version it pins, or the latest version of its lineage when it floats.
REACH = (
    "{t}.lineage_id = {l}.target_lineage_id and ({t}.id = {l}.target_version_id "
    "or ({l}.target_version_id is null and {t}.is_latest))"
)
# The links that reach version {a}: pinned to it, or floating while it is the latest.
REACHING = (
    "{l}.target_lineage_id = {a}.lineage_id and ({l}.target_version_id = {a}.id "
    "or ({l}.target_version_id is null and {a}.is_latest))"
)

# app.metrics.direction in SQL: declared, else LOWER for error-like name tokens.
METRIC_DIRECTION = (
    "case when {a}.metric_directions ? {k} then upper({a}.metric_directions ->> {k})"
    " when exists (select 1 from regexp_split_to_table(lower({k}), '[_\\-. ]+') as tok(w)"
    " where tok.w in ('rmse', 'mae', 'mse', 'loss', 'aic', 'bic', 'error', 'err', 'nll'))"
    " then 'LOWER' else 'HIGHER' end"
)

# Scalar fields of every artifact version, by GraphQL name.
ARTIFACT_SCALARS = {
    "id": "{a}.id",
    "lineageId": "{a}.lineage_id",
    "kind": "upper({a}.kind)",
    "versionNumber": "{a}.version_number",
    "isLatest": "{a}.is_latest",
    "title": "{a}.title",
    "description": "{a}.description",
    # With the session's UTC time zone, JSON renders it exactly like app.domain.iso_utc.
    "createdAt": "{a}.created_at",
    "metadata": "{a}.metadata",
}

MODEL_SCALARS = {
    **ARTIFACT_SCALARS,
    "family": "upper({a}.family)",
    "architecture": "{a}.architecture",
    "parameterCount": "{a}.parameter_count",
    "trainingConfig": "{a}.training_config",
    "qualityScore": "{a}.quality_score",
    "rawQualityScore": "{a}.raw_quality_score",
    "evaluationMetricsJson": "{a}.evaluation_metrics",
}

SCALARS = {
    "Model": MODEL_SCALARS,
    "Dataset": ARTIFACT_SCALARS,
    "Analysis": ARTIFACT_SCALARS,
    "Hypothesis": ARTIFACT_SCALARS,
}

KIND_OF = {
    "Model": "model",
    "Dataset": "dataset",
    "Analysis": "analysis",
    "Hypothesis": "hypothesis",
}
TYPE_OF = {kind: name for name, kind in KIND_OF.items()}
ALL_TYPES = ("Model", "Dataset", "Analysis", "Hypothesis")

# (type, field) -> (direction, link type, possible target types, single object?)
OUTGOING = {
    ("Model", "trainedOn"): ("trained_on", ("Dataset",), False),
    ("Model", "producedBy"): ("produced_by", ("Analysis",), True),
    ("Model", "testsHypotheses"): ("tests_hypothesis", ("Hypothesis",), False),
    ("Model", "derivedFrom"): ("derived_from", ("Model",), False),
    ("Analysis", "addresses"): ("addresses", ("Hypothesis",), False),
}
INCOMING = {
    ("Dataset", "trainedModels"): ("trained_on", ("Model",)),
    ("Dataset", "usedBy"): ("uses", ("Analysis",)),
    ("Analysis", "producedModels"): ("produced_by", ("Model",)),
    ("Hypothesis", "testedBy"): ("tests_hypothesis", ("Model",)),
    ("Hypothesis", "analyses"): ("addresses", ("Analysis",)),
}

SORT_COLUMNS = {
    "quality_score": "quality_score",
    "created_at": "created_at",
    "parameter_count": "parameter_count",
}
