"""Every error the registry answers with: its stable code, HTTP status and meaning, once.

GraphQL carries the code in ``errors[].extensions.code``, REST in ``error.code``; the HTTP
status of each comes from CODES, and the README's error table is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Code:
    """A stable error code: the HTTP status it answers with, and what it means."""

    status: int
    meaning: str
    # In a GraphQL answer: 200 with the error beside the data, unless the request never ran.
    graphql_status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    # Refuses the whole document before it runs: 400 for application/graphql-response+json.
    refuses_document: bool = False


_RETRY = (("Retry-After", "1"),)
_CLOSE = (("Connection", "close"),)


CODES: dict[str, Code] = {
    "BAD_USER_INPUT": Code(400, "an argument or parameter is invalid; the error names it"),
    "CONFLICTING_PARAMETERS": Code(
        400, "a REST parameter given twice, or under two spellings, with different values"
    ),
    "BAD_FILTER": Code(
        400,
        "a filter does not parse or names an unknown field, operator or value; REST gives the "
        "0-based `position` of the offending token",
    ),
    "BAD_CURSOR": Code(
        400, "a cursor that is malformed, tampered with, or from another filter or sort"
    ),
    "FILTER_TOO_COMPLEX": Code(
        400,
        "a filter nests AND/OR/NOT more than 4 levels (its text: parentheses and NOT more than "
        "32), has more than 20 conditions, or its text more than 4,000 characters",
    ),
    "INVALID_EVENT": Code(
        400,
        "an OpenLineage event the spec's JSON schema (or a facet's) refuses; `pointer` is the "
        "JSON pointer of the first error",
    ),
    "UNKNOWN_EVENT": Code(
        400, "an event name the change feed does not have; the message lists the known ones"
    ),
    "EVENTS_PRUNED": Code(
        410,
        "resuming after an event id that retention (REGISTRY_EVENT_RETENTION_DAYS) deleted "
        "events past: some are gone; start again from `oldestEventId`",
    ),
    "BAD_POSITION": Code(
        400,
        "an X-Registry-Position header that is not a WAL position as a write answered it",
        graphql_status=400,
    ),
    "WEBHOOK_URL_REFUSED": Code(
        400,
        "a webhook URL whose host is, or resolves to, a loopback, private, link-local, "
        "unique-local, multicast, unspecified or reserved address (or does not resolve); "
        "REGISTRY_WEBHOOK_ALLOW_PRIVATE=1 allows private ones",
    ),
    "TOO_MANY_WEBHOOKS": Code(409, "the registry holds the most webhooks it allows (100)"),
    "WRONG_KIND": Code(400, "a link or filter names an artifact of the wrong kind"),
    "NOT_FOUND": Code(404, "no artifact (or route) by that id; the error lists the ids"),
    "CONFLICT": Code(409, "the write contradicts what is stored; nothing was written"),
    "IDEMPOTENCY_KEY_REUSED": Code(409, "the key was used before for a different request"),
    "PROMOTION_REFUSED": Code(
        409, "a protected alias's gate refused the move; `checks` lists each failed check"
    ),
    "GRAPHQL_PARSE_FAILED": Code(400, "the document does not parse", refuses_document=True),
    "GRAPHQL_VALIDATION_FAILED": Code(
        400,
        "the document is invalid, deeper than 10 levels or has more than 15 aliases",
        refuses_document=True,
    ),
    "QUERY_TOO_COMPLEX": Code(
        400,
        "the document expands past 5,000 fields, repeats a key 20 times, or its lists could "
        "return more than REGISTRY_MAX_QUERY_COST objects (the estimate is in `extensions`)",
        refuses_document=True,
    ),
    "RESPONSE_TOO_LARGE": Code(
        400, "the answer holds more than MAX_RESPONSE_OBJECTS objects", refuses_document=True
    ),
    "BAD_REQUEST": Code(
        400,
        "the body is not a JSON object (invalid UTF-8, a lone surrogate, nesting past 1,024 "
        "levels, `42`), has no `query`, or batches operations",
        graphql_status=400,
    ),
    "UNAUTHENTICATED": Code(
        401,
        "a token is missing, malformed or revoked",
        401,
        (("WWW-Authenticate", "Bearer"),),
    ),
    "FORBIDDEN": Code(403, "the token lacks the scope the operation needs", 403),
    "METHOD_NOT_ALLOWED": Code(405, "a mutation over GET, or another method (`Allow`)", 405),
    "REQUEST_TIMEOUT": Code(
        408, "the body did not arrive whole within REGISTRY_BODY_TIMEOUT_S", 408, _CLOSE
    ),
    "PAYLOAD_TOO_LARGE": Code(413, "the body is over MAX_BODY_BYTES", 413, _CLOSE),
    "UNSUPPORTED_MEDIA_TYPE": Code(415, "a POST body that is not application/json", 415),
    "INTERNAL_SERVER_ERROR": Code(500, "an unexpected failure, logged and masked"),
    "SERVICE_UNAVAILABLE": Code(
        503,
        "no database connection in time, or the database is down",
        503,
        _RETRY,
    ),
    "STATEMENT_TIMEOUT": Code(503, "one statement ran past STATEMENT_TIMEOUT_MS"),
    "TOO_MANY_SUBSCRIPTIONS": Code(
        429,
        "a WebSocket connection or the process holds as many subscriptions as it may "
        "(REGISTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION, REGISTRY_MAX_SUBSCRIPTIONS)",
    ),
    "TOO_MANY_CONNECTIONS": Code(
        503, "the process or this client address holds too many connections", 503, _RETRY
    ),
    "DEADLINE_EXCEEDED": Code(504, "the request ran past REQUEST_TIMEOUT_S", 504),
}


def code(name: str) -> Code:
    """The declaration of an error code (INTERNAL_SERVER_ERROR's for one nobody declared)."""
    return CODES.get(name) or CODES["INTERNAL_SERVER_ERROR"]


def status_of(name: str) -> int:
    """The HTTP status a code answers with."""
    return code(name).status


class RegistryError(Exception):
    """An expected failure that a client caused and can fix."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    @property
    def http_status(self) -> int:
        return status_of(self.code)


class InvalidInput(RegistryError):
    code = "BAD_USER_INPUT"


class NotFound(RegistryError):
    code = "NOT_FOUND"


class Conflict(RegistryError):
    code = "CONFLICT"


class PromotionRefused(RegistryError):
    code = "PROMOTION_REFUSED"


class Unauthenticated(RegistryError):
    code = "UNAUTHENTICATED"


class Forbidden(RegistryError):
    code = "FORBIDDEN"


class ResponseTooLarge(RegistryError):
    """A response would hold more objects than MAX_RESPONSE_OBJECTS allows."""

    code = "RESPONSE_TOO_LARGE"


class Unavailable(RegistryError):
    """The database cannot serve now; retry shortly."""

    code = "SERVICE_UNAVAILABLE"


class StatementTimeout(RegistryError):
    code = "STATEMENT_TIMEOUT"


class BodyTimeout(RegistryError):
    code = "REQUEST_TIMEOUT"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")


class BodyTooLarge(RegistryError):
    code = "PAYLOAD_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(f"request bodies are limited to {limit} bytes")
