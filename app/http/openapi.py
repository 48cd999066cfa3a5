"""The OpenAPI 3.1 description of the REST shims, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from app import ids
from app.domain import Family
from app.http.openapi_compare import BASELINE_PARAMETER, COMPARISON
from app.service import catalog

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
    },
}

MODEL_DETAIL: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/ModelSummary"},
        {
            "type": "object",
            "required": ["versions", "links", "provenance", "training_config"],
            "properties": {
                "training_config": {"type": "object"},
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

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "parameter": {"type": "string"},
            },
        }
    },
}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


# Every limit the server enforces is stated here, so a request valid by this document is
# never refused for its form (an id that names nothing is 200 with no models, or 404).
ID = {"type": "string", "pattern": ids.POSSIBLE_ID.pattern}
# 2 to 10 comma-separated ids, spaces around them allowed.
_ONE_ID = ids.POSSIBLE_ID.pattern.strip("^$")
IDS = {
    "type": "string",
    "pattern": rf"^\s*{_ONE_ID}\s*(,\s*{_ONE_ID}\s*){{1,9}}$",
}

LIST_PARAMETERS = [
    _query("family", {"enum": [f.value for f in Family]}, "Only models of this family."),
    _query("dataset", ID, "Trained on this dataset version, or any version of a lineage."),
    _query("hypothesis", ID, "Testing this hypothesis version or lineage."),
    _query("sort", {"enum": list(catalog.SORTS), "default": "created_at"}, "Sort key; ties by id."),
    _query("order", {"enum": ["asc", "desc"], "default": "desc"}, "Sort direction."),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": catalog.MAX_LIMIT, "default": 20},
        "Page size.",
    ),
    _query(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": catalog.MAX_OFFSET, "default": 0},
        "Rows to skip.",
    ),
    _query(
        "latest", {"type": "boolean", "default": False}, "Only the latest version of each lineage."
    ),
    _query(
        "q",
        {"type": "string", "maxLength": catalog.MAX_SEARCH, "pattern": "^[^\\u0000]*$"},
        "Case-insensitive title search (no NUL characters).",
    ),
]

BAD = _json("Error", "A parameter is invalid; the body names it.")
MISSING = _json("Error", "No such model.")

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Model registry REST shims",
        "version": "1.0.0",
        "description": "Read-only REST views over the same services as /graphql.",
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
                        "comma-separated; a model named twice (say by its version id and its "
                        "lineage id) counts once.",
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
    },
    "components": {
        "schemas": {
            "ModelSummary": MODEL_SUMMARY,
            "ModelDetail": MODEL_DETAIL,
            "Comparison": COMPARISON,
            "Warning": WARNING,
            "Error": ERROR,
        }
    },
}
