"""The shape of a refused request in OpenAPI: ``{"error": {"code", "message", ...}}``, with
the members a kind of refusal adds."""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string"}


def error_schema(**members: dict[str, Any]) -> dict[str, Any]:
    """The error body, its ``error`` object holding ``code``, ``message`` and ``members``."""
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    **members,
                },
            }
        },
    }


# What most refusals carry: the parameter at fault, and where in a filter the text went wrong.
ERROR = error_schema(
    parameter=_STRING,
    position={"type": "integer", "description": "BAD_FILTER: where in `filter` it went wrong."},
)
