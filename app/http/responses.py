"""How every refusal is written: one body per surface, its status and headers from the table.

/graphql answers GraphQL-shaped errors (``{"errors": [{"message", "extensions": {"code"}}]}``);
every other path REST-shaped ones (``{"error": {"code", "message", "parameter"?}}``), except a
path that names no route outside /api and /graphql: a person followed that link, so it gets a
page that leads back to the site.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import HTMLResponse, Response

from app.errors import RegistryError, code
from app.settings import PROJECT_ROOT

GRAPHQL_PATH = "/graphql"
API_PREFIX = "/api"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_TYPES = ("application/json", GRAPHQL_RESPONSE)


def is_json_media(content_type: str) -> bool:
    """True for application/json (and GraphQL's own), whatever the case or parameters."""
    return content_type.split(";")[0].strip().lower() in JSON_TYPES


def wants_graphql_response(accept: str) -> bool:
    """True when the client accepts application/graphql-response+json (GraphQL over HTTP)."""
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        if media.strip().lower() == GRAPHQL_RESPONSE:
            return "q=0" not in params.replace(" ", "") or "q=0." in params.replace(" ", "")
    return False


def error_body(path: str, name: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    """The body of one error, shaped for the surface ``path`` belongs to."""
    extra = dict(details or {})
    if path == GRAPHQL_PATH:
        return orjson.dumps(
            {"errors": [{"message": message, "extensions": {"code": name, **extra}}]}
        )
    if "field" in extra:
        extra.setdefault("parameter", extra.pop("field"))
    return orjson.dumps({"error": {"code": name, "message": message, **extra}})


def headers_of(name: str) -> dict[str, str]:
    """The headers a code always comes with (Retry-After, WWW-Authenticate, Connection)."""
    return dict(code(name).headers)


def error_response(
    path: str,
    name: str,
    message: str,
    details: dict[str, Any] | None = None,
    status: int | None = None,
) -> Response:
    """A whole refusal: the body, the code's status (or ``status``) and its headers."""
    return Response(
        error_body(path, name, message, details),
        status if status is not None else code(name).status,
        headers_of(name),
        media_type="application/json",
    )


def for_exception(path: str, exc: RegistryError) -> Response:
    """The refusal an expected failure gets on ``path``."""
    return error_response(path, exc.code, exc.message, exc.details)


def _is_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in (API_PREFIX, GRAPHQL_PATH))


# A page like the others in static/ (they share no template); ``{path}`` is filled in, escaped.
_NOT_FOUND_PAGE = (PROJECT_ROOT / "static" / "404.html").read_text()


def for_http_error(
    method: str, path: str, status: int, detail: str, headers: Mapping[str, str] | None
) -> Response:
    """The refusal the router gives a path it has no route for, or a method a route lacks."""
    if status == 404 and not _is_api(path):
        return HTMLResponse(_NOT_FOUND_PAGE.replace("{path}", html.escape(path)), 404)
    if status == 404:
        name = "NOT_FOUND"
        message = f"no route {method} {path}; the REST paths are listed in /api/openapi.json"
    elif status == 405:
        name = "METHOD_NOT_ALLOWED"
        allowed = next((v for k, v in (headers or {}).items() if k.lower() == "allow"), "")
        message = f"{method} is not allowed on {path}" + (f"; use {allowed}" if allowed else "")
    else:
        name, message = "BAD_REQUEST", detail
    response = error_response(path, name, message, status=status)
    response.headers.update(headers or {})
    return response
