"""The OpenAPI schema of GET /api/models/compare's answer (app.http.rest_compare)."""

from __future__ import annotations

from typing import Any

STRINGS = {"type": "array", "items": {"type": "string"}}
ID_MAP = {"type": "object", "additionalProperties": STRINGS}
SHARING = {"enum": ["all", "some", "one"]}
BY_MODEL_NUMBER = {"type": "object", "additionalProperties": {"type": ["number", "null"]}}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


SHARE = _object(["id", "model_ids", "sharing"], id={"type": "string"}, model_ids=STRINGS,
                sharing=SHARING)  # fmt: skip
JACCARD = _object(
    ["shared", "union", "value"],
    shared={"type": "integer"},
    union={"type": "integer"},
    value={"type": ["number", "null"]},
)
DIFF_ROW = _object(
    ["key", "differs", "values", "missing", "differs_from_baseline"],
    key={"type": "string"},
    differs={"type": "boolean"},
    values={"type": "object"},
    missing=STRINGS,
    differs_from_baseline=STRINGS,
)
INTERVAL = _object(
    ["lower", "upper"],
    lower={"type": "number"},
    upper={"type": "number"},
    stderr={"type": "number"},
)
METRIC_ROW = _object(
    ["name", "better", "verdict", "best_model_ids", "leader_model_ids",
     "overlapping_model_ids", "reported_count", "values", "intervals", "delta_from_baseline",
     "relative_delta_from_baseline", "capped_model_ids"],
    name={"type": "string"},
    better={"enum": ["higher", "lower"]},
    verdict={"enum": ["best", "within_uncertainty", "too_few_values"]},
    best_model_ids=STRINGS,
    leader_model_ids=STRINGS,
    overlapping_model_ids=STRINGS,
    reported_count={"type": "integer"},
    values=BY_MODEL_NUMBER,
    intervals={"type": "object", "additionalProperties": INTERVAL},
    delta_from_baseline=BY_MODEL_NUMBER,
    relative_delta_from_baseline=BY_MODEL_NUMBER,
    capped_model_ids=STRINGS,
)  # fmt: skip

COMPARISON: dict[str, Any] = _object(
    ["baseline_model_id", "duplicates", "models", "metrics", "metadata_diff",
     "training_config_diff", "training_data_overlap", "provenance"],
    baseline_model_id={"type": "string"},
    duplicates={"type": "array", "items": _object(
        ["id", "model_id"], id={"type": "string"}, model_id={"type": "string"})},
    models={"type": "array", "items": {"$ref": "#/components/schemas/ModelSummary"}},
    metrics={"type": "array", "items": METRIC_ROW},
    metadata_diff={"type": "array", "items": DIFF_ROW},
    training_config_diff={"type": "array", "items": DIFF_ROW},
    training_data_overlap=_object(
        ["shared_same_version", "shared_by_some", "same_lineage_different_versions",
         "unique_to_model", "datasets", "similarity", "same_content"],
        shared_same_version=STRINGS,
        shared_by_some={"type": "array", "items": SHARE},
        same_lineage_different_versions={"type": "array", "items": {"type": "object"}},
        unique_to_model=ID_MAP,
        datasets={"type": "array", "items": SHARE},
        similarity={"type": "array", "items": _object(
            ["model_ids", "versions", "lineages"], model_ids=STRINGS, versions=JACCARD,
            lineages=JACCARD)},
        same_content={"type": "array", "items": _object(
            ["dataset_ids", "model_ids"], dataset_ids=STRINGS, model_ids=STRINGS)},
    ),
    provenance=_object(
        ["dags", "shared_ancestor_ids", "unique_ancestor_ids", "ancestors", "merged"],
        dags={"type": "array", "items": {"type": "object"}},
        shared_ancestor_ids=STRINGS,
        unique_ancestor_ids=ID_MAP,
        ancestors={"type": "array", "items": SHARE},
        merged=_object(
            ["nodes", "edges"],
            nodes={"type": "array", "items": {"type": "object"}},
            edges={"type": "array", "items": {"type": "object"}},
        ),
    ),
)  # fmt: skip

BASELINE_PARAMETER = {
    "name": "baseline",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "The model deltas are taken from, by version or lineage id, among `ids` "
    "(the first when left out).",
}
