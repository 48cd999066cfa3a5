"""The OpenAPI 3.1 description of the REST shims, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from app import tags
from app.domain import Family
from app.http import openapi_aliases, openapi_lineage, openapi_metrics
from app.http.openapi_compare import BASELINE_PARAMETER, COMPARISON, INTERVAL
from app.http.openapi_errors import ERROR
from app.http.openapi_parameters import IDS, LIST_PARAMETERS

NULLABLE_STRING = {"type": ["string", "null"]}
WARNING = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "enum": [
                "MISSING_TRAINING_DATA",
                "MISSING_PRODUCING_ANALYSIS",
                "UNPINNED_INPUTS",
                "MISSING_HYPOTHESIS_LINK",
            ]
        },
        "message": {"type": "string"},
    },
}
SCORE = {"type": "number", "minimum": 0, "maximum": 1}
ARTIFACT_REF = {
    "type": "object",
    "required": ["id", "lineage_id", "kind", "version_number", "title"],
    "properties": {
        "id": {"type": "string"},
        "lineage_id": {"type": "string"},
        "kind": {"enum": ["model", "dataset", "analysis", "hypothesis"]},
        "version_number": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "pinned": {"type": "boolean"},
        "shared_by_all": {"type": "boolean"},
    },
}

MODEL_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "title",
        "model_family",
        "version_number",
        "is_latest",
        "quality_score",
        "evaluation_metrics",
        "trained_on",
        "produced_by",
        "created_at",
    ],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "model_family": {"enum": [f.value for f in Family]},
        "version_number": {"type": "integer", "minimum": 1},
        "is_latest": {"type": "boolean"},
        "quality_score": SCORE,
        "evaluation_metrics": {"type": "object", "additionalProperties": {"type": "number"}},
        "trained_on": NULLABLE_STRING,
        "produced_by": NULLABLE_STRING,
        "created_at": {"type": "string", "format": "date-time"},
        "lineage_id": {"type": "string"},
        "trained_on_all": {"type": "array", "items": {"type": "string"}},
        "tests_hypotheses": {"type": "array", "items": {"type": "string"}},
        "raw_quality_score": SCORE,
        "quality_warning": {"type": "boolean"},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
        "architecture": {"type": "string"},
        "parameter_count": {"type": "integer", "minimum": 0},
        "archived": {"type": "boolean"},
        "archived_at": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
        "archived_reason": NULLABLE_STRING,
        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        "aliases": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The aliases of its lineage pointing at this version, by name.",
        },
        "uri": {**NULLABLE_STRING, "description": "Where the model's bytes are."},
        "digest": {
            **NULLABLE_STRING,
            "description": "<algorithm>:<lower-case hex>; an MLflow digest is mlflow:<hex>.",
        },
        "size_bytes": {"oneOf": [{"type": "null"}, {"type": "integer", "minimum": 0}]},
    },
}

TAG: dict[str, Any] = {
    "type": "object",
    "required": ["key", "value"],
    "properties": {
        "key": {"type": "string", "pattern": "^" + tags.KEY.pattern + "$"},
        "value": {"type": "string", "maxLength": tags.MAX_VALUE},
    },
}

MODEL_DETAIL: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/ModelSummary"},
        {
            "type": "object",
            "required": ["versions", "links", "provenance", "training_config", "metric_intervals"],
            "properties": {
                "training_config": {"type": "object"},
                "metric_intervals": {"type": "object", "additionalProperties": INTERVAL},
                "versions": {"type": "array", "items": {"type": "object"}},
                "links": {
                    "type": "object",
                    "required": ["trained_on", "produced_by", "tests_hypotheses", "derived_from"],
                    "properties": {
                        "trained_on": {"type": "array", "items": ARTIFACT_REF},
                        "produced_by": {"oneOf": [{"type": "null"}, {"type": "object"}]},
                        "tests_hypotheses": {"type": "array", "items": ARTIFACT_REF},
                        "derived_from": {"type": "array", "items": ARTIFACT_REF},
                    },
                },
                "provenance": {
                    "type": "object",
                    "required": ["complete", "warnings"],
                    "properties": {
                        "complete": {"type": "boolean"},
                        "warnings": {"type": "array", "items": WARNING},
                    },
                },
            },
        },
    ]
}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


BAD = _json("Error", "A parameter is invalid; the body names it.")
MISSING = _json("Error", "No such model.")

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Model registry REST shims",
        "version": "1.0.0",
        "description": "REST views over the same services as /graphql; alias moves write.",
    },
    "paths": {
        "/api/models": {
            "get": {
                "operationId": "listModels",
                "summary": "List models with filters, sorting and paging.",
                "parameters": LIST_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "A page of models and the total matching the filters.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["models", "total"],
                                    "properties": {
                                        "models": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/ModelSummary"},
                                        },
                                        "total": {"type": "integer", "minimum": 0},
                                        "next_cursor": {
                                            "type": ["string", "null"],
                                            "description": "Give it as `cursor` for the next "
                                            "page; null on the last page.",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": BAD,
                },
            }
        },
        "/api/models/compare": {
            "get": {
                "operationId": "compareModels",
                "summary": "Compare 2 to 10 models side by side.",
                "parameters": [
                    {
                        "name": "ids",
                        "in": "query",
                        "required": True,
                        "schema": IDS,
                        "description": "2 to 10 distinct models by version or lineage id, "
                        "separated by commas or spaces (`ids=a,b`), repeated (`ids=a&ids=b`) or "
                        "both; a model named twice (say by its version id and its lineage id) "
                        "counts once.",
                    },
                    BASELINE_PARAMETER,
                ],
                "responses": {
                    "200": _json("Comparison", "The comparison."),
                    "400": BAD,
                    "404": MISSING,
                },
            }
        },
        "/api/models/{id}": {
            "get": {
                "operationId": "getModel",
                "summary": "One model with versions, linked artifacts and provenance.",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json("ModelDetail", "The model."), "404": MISSING},
            }
        },
        **openapi_aliases.PATHS,
        "/api/metrics": openapi_metrics.path(BAD),
        **openapi_lineage.PATHS,
    },
    "components": {
        "schemas": {
            "ModelSummary": MODEL_SUMMARY,
            "ModelDetail": MODEL_DETAIL,
            "Comparison": COMPARISON,
            "Aliases": openapi_aliases.ALIASES,
            "Metrics": openapi_metrics.METRICS,
            "RegistryMetric": openapi_metrics.REGISTRY_METRIC,
            "Warning": WARNING,
            "Tag": TAG,
            "Error": ERROR,
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


# Read-your-writes on every operation (app.db.positions): reads accept the position a write
# answered with, writes answer with theirs.
_POSITION = {"type": "string", "pattern": "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$"}
_READ_POSITION = {
    "name": "X-Registry-Position",
    "in": "header",
    "required": False,
    "schema": _POSITION,
    "description": "A write's X-Registry-Position: the answer then includes that write, from a"
    " replica that has replayed it or from the primary. Malformed: 400 BAD_POSITION.",
}
_WRITTEN = {
    "X-Registry-Position": {
        "description": "The WAL position of this write's commit; send it with later reads.",
        "schema": _POSITION,
    }
}


def _with_positions(paths: dict[str, Any]) -> None:
    for item in paths.values():
        for method, operation in item.items():
            if method == "get":
                operation["parameters"] = [*operation.get("parameters", []), _READ_POSITION]
                operation["responses"].setdefault(
                    "400", _json("Error", "X-Registry-Position is malformed (BAD_POSITION).")
                )
            else:
                operation["responses"]["200"]["headers"] = _WRITTEN


_with_positions(DOCUMENT["paths"])
