"""REST shims with the spec's shapes: parse parameters, call the shared services, serialise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app import paging
from app.domain import Family
from app.errors import InvalidInput
from app.http import auth, openapi, rest_compare, rest_json
from app.schema.execute import read
from app.service import catalog, compare, detail

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
    limit = _int(params, "limit", paging.PAGE_DEFAULT)
    offset = _int(params, "offset", 0)
    paging.check(limit, offset)  # its errors name the parameter (field becomes parameter)
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
    data = await read(request, rest_json.LIST_QUERY, variables)
    return Response(list_body(data), media_type="application/json")


async def model_detail(request: Request) -> Response:
    """GET /api/models/{id}: a model with versions, linked artifacts and provenance."""
    ref = request.path_params["id"]
    found = await request.state.db.run(lambda c: detail.model_detail(c, ref), retry=True)
    return JSONResponse(rest_json.model_detail(found))


async def compare_models(request: Request) -> Response:
    """GET /api/models/compare?ids=a,b[&baseline=b]: the structured comparison."""
    raw = request.query_params.get("ids")
    if not raw:
        raise InvalidInput("ids is required: a comma-separated list of model ids", parameter="ids")
    ids = raw.split(",")
    baseline = request.query_params.get("baseline") or None
    result = await request.state.db.run(lambda c: compare.compare(c, ids, baseline), retry=True)
    return JSONResponse(rest_compare.comparison(result))


async def openapi_document(request: Request) -> Response:
    """GET /api/openapi.json."""
    return JSONResponse(openapi.DOCUMENT)


def reading(endpoint: Endpoint) -> Endpoint:
    """The endpoint behind the read rule (app.http.auth.reader), as every surface is."""

    async def guarded(request: Request) -> Response:
        await auth.reader(request)
        return await endpoint(request)

    return guarded


def routes(list_endpoint: Endpoint) -> list[Route]:
    """The REST routes; the list's endpoint is the one the stack's shortcut also serves."""
    return [
        Route("/api/openapi.json", openapi_document),
        Route("/api/models", list_endpoint),
        Route("/api/models/compare", reading(compare_models)),
        Route("/api/models/{id}", reading(model_detail)),
    ]
