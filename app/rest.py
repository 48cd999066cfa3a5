"""REST shims with the spec's shapes: parse parameters, call the shared services, serialise."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from app import openapi, rest_json
from app.auth import Scope as TokenScope
from app.domain import Family
from app.errors import InvalidInput, RegistryError, Unauthenticated
from app.fastlane import Answer, Handler
from app.fastpath import FastPath
from app.graphql_http import run_query
from app.service import catalog, compare, detail, tokens

log = logging.getLogger(__name__)
ORDERS = ("asc", "desc")
Endpoint = Callable[[Request], Awaitable[Response]]


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}", parameter=name) from None


def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(name, default)
    if value not in choices:
        raise InvalidInput(
            f"{name} must be one of {', '.join(choices)}, got {value!r}", parameter=name
        )
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise InvalidInput(f"{name} must be true or false", parameter=name)
    return value in ("true", "1")


def parse_list(params: Mapping[str, str]) -> tuple[catalog.ModelFilter, str, str, int, int]:
    """Validate the list parameters; every error names its parameter."""
    family = params.get("family")
    if family is not None:
        _choice(params, "family", tuple(f.value for f in Family), family)
    limit, offset = _int(params, "limit", 20), _int(params, "offset", 0)
    if not 1 <= limit <= catalog.MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {catalog.MAX_LIMIT}", parameter="limit")
    if not 0 <= offset <= catalog.MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {catalog.MAX_OFFSET}", parameter="offset")
    # Checked here too, so the error names its parameter (GraphQL's errors reach REST without).
    for name in ("dataset", "hypothesis"):
        catalog.check_filter_ref(name, params.get(name))
    wanted = catalog.ModelFilter(
        family=Family(family) if family else None,
        dataset=params.get("dataset") or None,
        hypothesis=params.get("hypothesis") or None,
        latest_only=_flag(params, "latest"),
        search=params.get("q") or None,
    )
    sort = _choice(params, "sort", catalog.SORTS, "created_at")
    order = _choice(params, "order", ORDERS, "desc")
    return wanted, sort, order, limit, offset


def list_variables(params: Mapping[str, str]) -> dict[str, object]:
    """The GraphQL variables of LIST_QUERY for the list parameters; InvalidInput if bad."""
    wanted, sort, order, limit, offset = parse_list(params)
    model_filter = {
        "family": wanted.family.name if wanted.family else None,
        "trainedOn": wanted.dataset,
        "testsHypothesis": wanted.hypothesis,
        "latestOnly": wanted.latest_only,
        "search": wanted.search,
    }
    return {
        "f": model_filter,
        "s": {"field": sort.upper(), "direction": order.upper()},
        "l": limit,
        "o": offset,
    }


def list_body(data: dict[str, Any]) -> bytes:
    page = data["models"]
    items = [rest_json.summary_from_graphql(m) for m in page["items"]]
    return orjson.dumps({"models": items, "total": page["total"]})


async def list_models(request: Request) -> Response:
    """GET /api/models: the spec's filtered, sorted page with its total.

    It runs the GraphQL models query, so both surfaces answer the same question one way.
    """
    variables = list_variables(request.query_params)
    data = await run_query(request, rest_json.LIST_QUERY, variables)
    return Response(list_body(data), media_type="application/json")


def fast_list_models(fastpath: FastPath) -> Handler:
    """GET /api/models for the fast lane: the compiled answer, reshaped, or None."""

    async def handle(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> Answer | None:
        try:
            variables = list_variables(QueryParams(scope["query_string"]))
        except RegistryError:
            return None  # the route reports it
        try:
            answered = await fastpath.execute(
                scope["state"]["db"], rest_json.LIST_QUERY, variables, None
            )
        except RegistryError as exc:
            return Answer(exc.http_status, orjson.dumps(error_body(exc)), "application/json")
        except Exception:
            # As for GraphQL: the regular route answers, and reports what went wrong.
            log.exception("fast path failed; the route answers instead")
            return None
        if answered is None:
            return None
        return Answer(200, list_body(orjson.loads(answered[0])), "application/json")

    return handle


async def model_detail(request: Request) -> Response:
    """GET /api/models/{id}: a model with versions, linked artifacts and provenance."""
    ref = request.path_params["id"]
    found = await request.state.db.run(lambda c: detail.model_detail(c, ref), retry=True)
    return JSONResponse(rest_json.model_detail(found))


async def compare_models(request: Request) -> Response:
    """GET /api/models/compare?ids=a,b: the structured comparison."""
    raw = request.query_params.get("ids")
    if not raw:
        raise InvalidInput("ids is required: a comma-separated list of model ids", parameter="ids")
    ids = raw.split(",")
    result = await request.state.db.run(lambda c: compare.compare(c, ids), retry=True)
    return JSONResponse(rest_json.comparison(result))


async def openapi_document(request: Request) -> Response:
    """GET /api/openapi.json."""
    return JSONResponse(openapi.DOCUMENT)


def error_body(exc: RegistryError) -> dict[str, Any]:
    details = dict(exc.details)
    if "field" in details:
        details.setdefault("parameter", details.pop("field"))
    return {"error": {"code": exc.code, "message": exc.message, **details}}


def error_response(request: Request, exc: Exception) -> Response:
    """Every expected failure of a REST route, as JSON with a stable code."""
    assert isinstance(exc, RegistryError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return JSONResponse(error_body(exc), status_code=exc.http_status, headers=headers)


def reading(endpoint: Endpoint) -> Endpoint:
    """The endpoint behind GraphQL's token rules for reads: a token given must be valid,
    and with REGISTRY_REQUIRE_READ_AUTH one with the read scope is needed."""

    async def guarded(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        principal = tokens.ANONYMOUS
        if authorization is not None:
            principal = await request.state.db.run(
                lambda conn: tokens.authenticate(conn, authorization), retry=True
            )
        if request.state.settings.require_read_auth:
            tokens.require_scope(principal, TokenScope.READ)
        return await endpoint(request)

    return guarded


def routes() -> list[Route]:
    return [
        Route("/api/openapi.json", openapi_document),
        Route("/api/models", reading(list_models)),
        Route("/api/models/compare", reading(compare_models)),
        Route("/api/models/{id}", reading(model_detail)),
    ]
