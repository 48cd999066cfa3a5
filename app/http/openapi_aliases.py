"""The OpenAPI entries of the alias endpoints (app.http.rest_aliases): the list, and the
writes a token with the write scope (promote for a protected alias) may make."""

from __future__ import annotations

from typing import Any

from app import ids
from app.http.openapi_errors import error_schema

STRING = {"type": "string"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
GATE_METRIC = {
    "type": "object",
    "required": ["metric"],
    "properties": {
        "metric": STRING,
        "threshold": {"type": "number"},
        "min_improvement": {"type": "number"},
        "min_relative_improvement": {"type": "number"},
    },
}
CHECK = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "enum": [
                "PROVENANCE_INCOMPLETE",
                "ARCHIVED",
                "METRIC_MISSING",
                "BELOW_THRESHOLD",
                "INSUFFICIENT_IMPROVEMENT",
            ]
        },
        "message": STRING,
        "metric": STRING,
        "wanted": {"type": "number"},
        "got": {"type": "number"},
    },
}
ALIASES: dict[str, Any] = {
    "type": "object",
    "required": ["lineage_id", "aliases"],
    "properties": {
        "lineage_id": STRING,
        "aliases": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["alias", "version_id", "protected", "gate", "passes", "checks"],
                "properties": {
                    "alias": STRING,
                    "version_id": STRING,
                    "protected": {"type": "boolean"},
                    "gate": {"type": "array", "items": GATE_METRIC},
                    "passes": {
                        "type": "boolean",
                        "description": "Whether the version it holds passes its gate now.",
                    },
                    "checks": {"type": "array", "items": CHECK},
                },
            },
        },
    },
}
MOVE = {
    "type": "object",
    "required": ["version_id"],
    "properties": {
        "version_id": {**STRING, "description": "A version of this lineage."},
        "reason": {**STRING, "maxLength": 1000},
        "expected_version_id": {
            **STRING,
            "description": "Move only if the alias holds this version now (compare and set).",
        },
        "force": {
            "type": "boolean",
            "default": False,
            "description": "Move a protected alias past a refusing gate: admin, with a reason.",
        },
    },
}
MOVED = {
    "type": "object",
    "required": ["lineage_id", "alias", "version_id"],
    "properties": {"lineage_id": STRING, "alias": STRING, "version_id": STRING},
}
REMOVED = {
    "type": "object",
    "required": ["lineage_id", "alias", "removed_version_id"],
    "properties": {"lineage_id": STRING, "alias": STRING, "removed_version_id": STRING},
}
REFUSED = error_schema(checks={"type": "array", "items": CHECK})


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


LINEAGE = _path("lineage", STRING)
ALIAS = _path(
    "alias", {"type": "string", "pattern": ids.ALIAS.pattern, "description": "Not latest or v<n>."}
)
_WRITE_ERRORS = {
    "400": _error("The body or an argument is invalid; the error names it."),
    "401": _error("No token, or a malformed or revoked one."),
    "403": _error("The token lacks the write scope (promote for a protected alias)."),
    "404": _error("No such lineage, version or alias."),
    "409": _json(
        REFUSED,
        "CONFLICT: the alias does not hold expected_version_id; PROMOTION_REFUSED: the gate "
        "refused the move, and `checks` lists each failed check; IDEMPOTENCY_KEY_REUSED.",
    ),
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "Replays the first answer when the same write is sent again.",
}

PATHS: dict[str, Any] = {
    "/api/models/{lineage}/aliases": {
        "get": {
            "operationId": "listAliases",
            "summary": "A lineage's aliases, the versions they point at, and their gates.",
            "parameters": [LINEAGE],
            "responses": {"200": _json({"$ref": "#/components/schemas/Aliases"}, "By name.")},
        }
    },
    "/api/models/{lineage}/aliases/{alias}": {
        "put": {
            "operationId": "setAlias",
            "summary": "Point the alias at a version; a protected alias passes its gate first.",
            "security": [{"bearer": []}],
            "parameters": [LINEAGE, ALIAS, _IDEMPOTENCY],
            "requestBody": {"required": True, "content": {"application/json": {"schema": MOVE}}},
            "responses": {"200": _json(MOVED, "The alias points at the version."), **_WRITE_ERRORS},
        },
        "delete": {
            "operationId": "removeAlias",
            "summary": "Remove the alias; the move is kept in its history.",
            "security": [{"bearer": []}],
            "parameters": [
                LINEAGE,
                ALIAS,
                _IDEMPOTENCY,
                {
                    "name": "reason",
                    "in": "query",
                    "required": False,
                    "schema": {**STRING, "maxLength": 1000},
                    "description": "Why, kept in the alias's history.",
                },
                {
                    "name": "expected_version_id",
                    "in": "query",
                    "required": False,
                    "schema": STRING,
                    "description": "Remove only if the alias holds this version now.",
                },
            ],
            "responses": {"200": _json(REMOVED, "The alias is gone."), **_WRITE_ERRORS},
        },
    },
}
