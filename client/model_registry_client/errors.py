"""The one error the client raises, carrying the registry's stable code."""

from __future__ import annotations

from typing import Any

# Codes the client gives itself when no answer from the registry carries one.
CONNECTION_FAILED = "CONNECTION_FAILED"
BAD_RESPONSE = "BAD_RESPONSE"


class RegistryError(Exception):
    """A refusal or failure: ``code`` is the registry's (``NOT_FOUND``, ``CONFLICT``, ...)."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}
        self.status = status

    def as_json(self) -> dict[str, Any]:
        """The error as the registry's REST surfaces write one."""
        return {"error": {"code": self.code, "message": self.message, **self.details}}


def from_graphql(errors: list[dict[str, Any]], status: int) -> RegistryError:
    """The first error of a GraphQL answer; the others are kept in ``details["errors"]``."""
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    extensions = dict(first.get("extensions") or {})
    code = str(extensions.pop("code", None) or f"HTTP_{status}")
    details: dict[str, Any] = extensions
    if "path" in first:
        details["path"] = first["path"]
    if len(errors) > 1:
        details["errors"] = errors[1:]
    return RegistryError(code, str(first.get("message", "")), details, status)


def from_rest(body: Any, status: int) -> RegistryError:
    """The ``{"error": {...}}`` body of a REST refusal (or a GraphQL one on /graphql)."""
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return from_graphql(body["errors"], status)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return RegistryError(
            f"HTTP_{status}", "the registry answered without an error body", {}, status
        )
    details = {k: v for k, v in error.items() if k not in ("code", "message")}
    return RegistryError(str(error.get("code")), str(error.get("message", "")), details, status)
