"""The error hierarchy: every expected failure carries a stable code."""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """An expected failure that a client caused and can fix."""

    code = "INTERNAL"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(RegistryError):
    code = "BAD_USER_INPUT"
    http_status = 400


class NotFound(RegistryError):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(RegistryError):
    code = "CONFLICT"
    http_status = 409


class Unauthenticated(RegistryError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(RegistryError):
    code = "FORBIDDEN"
    http_status = 403


class ResponseTooLarge(RegistryError):
    """A response would hold more objects than MAX_RESPONSE_OBJECTS allows."""

    code = "RESPONSE_TOO_LARGE"
    http_status = 400
