"""The OpenAPI description of GET /api/metrics."""

from __future__ import annotations

from typing import Any

from app import metric_directions, paging, validation
from app.http.openapi_parameters import _query

_NULLABLE = {"type": ["string", "null"]}

REGISTRY_METRIC: dict[str, Any] = {
    "type": "object",
    "required": [
        "name",
        "direction",
        "decided",
        "declared",
        "description",
        "declared_at",
        "declared_by",
    ],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": metric_directions.MAX_NAME},
        "direction": {
            "enum": ["higher", "lower"],
            "description": "Whether higher or lower is better, for every model.",
        },
        "decided": {
            "enum": ["declared", "inferred"],
            "description": "Declared by declareMetric, or inferred from the name.",
        },
        "declared": {"type": "boolean"},
        "description": {**_NULLABLE, "maxLength": metric_directions.MAX_DESCRIPTION},
        "declared_at": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
        "declared_by": _NULLABLE,
    },
}

METRICS: dict[str, Any] = {
    "type": "object",
    "required": ["metrics", "total"],
    "properties": {
        "metrics": {"type": "array", "items": {"$ref": "#/components/schemas/RegistryMetric"}},
        "total": {"type": "integer", "minimum": 0},
    },
}

PARAMETERS = [
    _query(
        "search",
        {"type": "string", "maxLength": validation.MAX_SEARCH, "pattern": "^[^\\u0000]*$"},
        "A case-insensitive substring of the name (no NUL characters).",
    ),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": paging.MAX_PAGE, "default": 20},
        "Page size.",
    ),
    _query(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": paging.MAX_OFFSET, "default": 0},
        "Names to skip.",
    ),
]


def path(bad: dict[str, Any]) -> dict[str, Any]:
    """The path item of /api/metrics; ``bad`` is the document's 400 response."""
    return {
        "get": {
            "operationId": "listMetrics",
            "summary": "The metric names the registry knows (declared, or reported by a "
            "model), by name, each with its direction and how it was decided.",
            "parameters": PARAMETERS,
            "responses": {
                "200": {
                    "description": "A page of metric names and how many match in all.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Metrics"}}
                    },
                },
                "400": bad,
            },
        }
    }
