"""REST for aliases: list a lineage's aliases with their gates, set (PUT) and remove (DELETE)
one. A refused promotion is 409 PROMOTION_REFUSED with the same `checks` GraphQL gives."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.errors import InvalidInput, RegistryError
from app.http import auth
from app.service import aliases, writes

MAX_BODY = 16 * 1024


def alias_state(s: aliases.AliasState) -> dict[str, Any]:
    return {
        "alias": s.alias,
        "version_id": s.version.id,
        "protected": s.gate is not None,
        "gate": [g.as_json() for g in s.gate or []],
        "passes": not s.checks,
        "checks": [c.as_json() for c in s.checks],
    }


async def list_aliases(request: Request) -> Response:
    """GET /api/models/{lineage}/aliases."""
    lineage = request.path_params["lineage"]
    states = await request.state.db.read(lambda c: aliases.of_lineage(c, lineage))
    return JSONResponse({"lineage_id": lineage, "aliases": [alias_state(s) for s in states]})


async def _body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise RegistryError("the body must be application/json", code="UNSUPPORTED_MEDIA_TYPE")
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError as e:
        raise InvalidInput(f"the body is not JSON: {e}", field="body") from None
    if not isinstance(body, dict) or len(raw) > MAX_BODY:
        raise InvalidInput("the body is a JSON object of at most 16 KB", field="body")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string", field=name)
    return value


async def put_alias(request: Request) -> Response:
    """PUT /api/models/{lineage}/aliases/{alias} with {version_id, reason?,
    expected_version_id?, force?}."""
    lineage, alias = request.path_params["lineage"], request.path_params["alias"]
    body = await _body(request)
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise InvalidInput("force must be true or false", field="force")
    version = _text(body, "version_id", required=True)
    assert version is not None
    moved = await writes.set_alias(
        request.state.db,
        await auth.principal(request),
        lineage,
        alias,
        version,
        _text(body, "reason") or "",
        _text(body, "expected_version_id"),
        request.headers.get("idempotency-key"),
        force,
    )
    return JSONResponse({"lineage_id": lineage, "alias": alias, "version_id": moved.id})


async def delete_alias(request: Request) -> Response:
    """DELETE /api/models/{lineage}/aliases/{alias}[?expected_version_id=&reason=]."""
    lineage, alias = request.path_params["lineage"], request.path_params["alias"]
    q = request.query_params
    held = await writes.remove_alias(
        request.state.db,
        await auth.principal(request),
        lineage,
        alias,
        q.get("reason", ""),
        q.get("expected_version_id"),
        request.headers.get("idempotency-key"),
    )
    return JSONResponse({"lineage_id": lineage, "alias": alias, "removed_version_id": held.id})


async def move_alias(request: Request) -> Response:
    """PUT sets the alias, DELETE removes it."""
    if request.method == "DELETE":
        return await delete_alias(request)
    return await put_alias(request)
