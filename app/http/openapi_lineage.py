"""The OpenAPI description of POST /api/v1/lineage.

The registry's facet schemas under /api/v1/lineage/facets/ are documents, not operations (as
/static is), so they are named in the description rather than described as paths.
"""

from __future__ import annotations

from typing import Any

from app.http.openapi_errors import error_schema

_ERROR = {"$ref": "#/components/schemas/Error"}

INVALID_EVENT = error_schema(
    pointer={
        "type": "string",
        "description": "INVALID_EVENT: the JSON pointer (RFC 6901) of the first error in the "
        "event; for a missing member, where it belongs (`/inputs/0/name`).",
    }
)

OUTCOME: dict[str, Any] = {
    "type": "object",
    "required": ["event", "written", "run", "analysisId", "datasetIds", "modelIds"],
    "properties": {
        "event": {"enum": ["RunEvent", "DatasetEvent", "JobEvent"]},
        "written": {
            "type": "boolean",
            "description": "False for a repeat (same runId, eventType and eventTime).",
        },
        "run": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["runId", "state"],
                    "properties": {
                        "runId": {"type": "string", "format": "uuid"},
                        "state": {
                            "enum": ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]
                        },
                    },
                },
            ]
        },
        "analysisId": {
            "type": ["string", "null"],
            "description": "The analysis version the run became, once completed.",
        },
        "datasetIds": {"type": "array", "items": {"type": "string"}},
        "modelIds": {"type": "array", "items": {"type": "string"}},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, Any] = {
    "/api/v1/lineage": {
        "post": {
            "operationId": "postLineageEvent",
            "summary": "Send an OpenLineage event (spec 2-0-x: RunEvent, DatasetEvent, JobEvent).",
            "description": "What the openlineage-python client's HTTP transport sends (`url` the "
            "registry, `auth` an api_key: a token with the write scope). The event is checked "
            "against the spec's JSON schema and the facets the registry reads (`version`, "
            "`modelRegistry_model`, `modelRegistry_hypotheses`), then applied in one "
            "transaction. A body may be gzip-compressed (`Content-Encoding: gzip`). The custom "
            "facets' JSON schemas are served at /api/v1/lineage/facets/1-0-0/"
            "ModelRegistryModelDatasetFacet.json, ModelRegistryHypothesesJobFacet.json and "
            "ModelRegistryHypothesesRunFacet.json.",
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
                        }
                    }
                },
            },
            "responses": {
                "201": _json(OUTCOME, "The event was applied; what it registered."),
                "200": _json(OUTCOME, "The run holds this event already; nothing was written."),
                "400": _json(INVALID_EVENT, "INVALID_EVENT (with `pointer`) or BAD_REQUEST."),
                "401": _json(_ERROR, "No valid token."),
                "403": _json(_ERROR, "The token lacks the write scope."),
                "404": _json(_ERROR, "A facet names a hypothesis or dataset that does not exist."),
                "409": _json(
                    _ERROR, "The runId is a run of another job, or holds 100 events already."
                ),
                "413": _json(_ERROR, "The body (inflated) is over MAX_BODY_BYTES."),
                "415": _json(_ERROR, "Not application/json, or an unsupported encoding."),
            },
        }
    },
}
