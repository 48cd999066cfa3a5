"""POST /api/v1/lineage: OpenLineage events, as the official clients' HTTP transport sends
them; and the registry's custom facet schemas, at the URLs their ``$id``s name."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app import auth as scopes
from app.errors import BodyTooLarge, NotFound, RegistryError
from app.http import auth
from app.http.responses import is_json_media
from app.openlineage import schema
from app.openlineage.ingest import ingest


def _inflate(raw: bytes, limit: int) -> bytes:
    """A gzip body (the transport's ``compression: gzip``), inflated to at most ``limit``."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise RegistryError("the body is not valid gzip", code="BAD_REQUEST") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(limit)
    return out


async def _event(request: Request) -> Any:
    if not is_json_media(request.headers.get("content-type", "")):
        raise RegistryError("the body must be application/json", code="UNSUPPORTED_MEDIA_TYPE")
    # The stack read the body whole already (app.http.stack), within MAX_BODY_BYTES.
    raw = request.scope["state"].get("body") or await request.body()
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _inflate(raw, request.scope["state"]["settings"].max_body_bytes)
    elif encoding != "identity":
        raise RegistryError(
            f"content-encoding {encoding!r} is not supported: send gzip or none",
            code="UNSUPPORTED_MEDIA_TYPE",
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RegistryError("the body is not valid JSON", code="BAD_REQUEST") from None


async def post_event(request: Request) -> Response:
    """Apply one event; 201 when it wrote something, 200 for a repeat that wrote nothing."""
    principal = await auth.principal(request)
    scopes.require(principal, scopes.Scope.WRITE)
    assert principal.name is not None
    event = await _event(request)
    actor = principal.name
    # A retry is safe: an event is applied once, by its identity (run, type and time).
    outcome = await request.state.db.write(lambda c: ingest(c, event, actor), retry=True)
    return JSONResponse(outcome.as_json(), status_code=201 if outcome.written else 200)


async def facet_schema(request: Request) -> Response:
    """GET /api/v1/lineage/facets/{version}/{name}: one of the registry's facet schemas."""
    version, name = request.path_params["version"], request.path_params["name"]
    known = {p.relative_to(schema.SPEC_DIR).as_posix() for p in schema.facet_files()}
    relative = f"registry/{version}/{name}"
    if relative not in known:
        raise NotFound(f"no facet schema {version}/{name}", ids=[name])
    return JSONResponse(schema.read_schema(relative))
