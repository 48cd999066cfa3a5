"""REST shims with the spec's shapes: parse parameters, call the shared services, serialise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app import ids, paging, tags
from app.domain import Family
from app.errors import InvalidInput, RegistryError
from app.http import (
    auth,
    openapi,
    rest_aliases,
    rest_compare,
    rest_json,
    rest_lineage,
    rest_metrics,
)
from app.http.rest_params import Query, choice, flag, id_list, integer, text
from app.schema import filter_inputs
from app.schema.execute import read
from app.search import parse
from app.search.fields import check_metric_name
from app.search.tree import Node
from app.service import catalog, compare, detail

ORDERS = ("asc", "desc")
METRIC_SORT = "metric:"
Endpoint = Callable[[Request], Awaitable[Response]]


def _tag(value: str | None) -> tuple[str, str | None] | None:
    """``tag=key:value`` (that value) or ``tag=key`` (any value)."""
    return None if value is None else tags.parse_filter(value)


def _alias(value: str | None) -> str | None:
    if value is not None:
        ids.check_alias(value)  # its error names the field, which REST reports as the parameter
    return value


def _filter(value: str | None) -> Node | None:
    """``filter=``: the text filter language (app.search.parse); its errors name the
    parameter and the position."""
    if value is None:
        return None
    try:
        return parse.parse(value)
    except InvalidInput as e:
        raise InvalidInput(e.message, code=e.code, **{**e.details, "parameter": "filter"}) from None


def _sort(params: Query) -> tuple[str, str | None, str | None]:
    """``sort=`` a column or ``metric:<name>``, and ``order=`` (for a metric, best when
    left out): the column, the metric, and the order given."""
    raw = text(params, "sort")
    order = choice(params, "order", ORDERS, None)
    if raw is not None and raw.lower().startswith(METRIC_SORT):
        name = raw[len(METRIC_SORT) :]
        try:
            check_metric_name(name)
        except InvalidInput as e:
            raise InvalidInput(e.message, parameter="sort") from None
        return "created_at", name, order
    column = choice(params, "sort", catalog.SORTS, "created_at")
    return column, None, order


def parse_list(params: Query) -> tuple[catalog.ModelFilter, str, str, int, int]:
    """Validate the list parameters; every error names its parameter."""
    family = choice(params, "family", tuple(f.value for f in Family), None)
    limit = integer(params, "limit", paging.PAGE_DEFAULT)
    offset = integer(params, "offset", 0)
    paging.check(limit, offset)  # its errors name the parameter (field becomes parameter)
    dataset, hypothesis = text(params, "dataset"), text(params, "hypothesis")
    # Checked here too, so the error names its parameter (GraphQL's errors reach REST without).
    catalog.check_filter_ref("dataset", dataset)
    catalog.check_filter_ref("hypothesis", hypothesis)
    wanted = catalog.ModelFilter(
        family=Family(family) if family else None,
        dataset=dataset,
        hypothesis=hypothesis,
        latest_only=flag(params, "latest"),
        search=text(params, "q"),
        tag=_tag(text(params, "tag")),
        alias=_alias(text(params, "alias")),
    )
    sort, _, order = _sort(params)
    return wanted, sort, order or "desc", limit, offset


def list_variables(params: Query) -> dict[str, object]:
    """The GraphQL variables of LIST_QUERY for the list parameters; InvalidInput if bad."""
    wanted, sort, order, limit, offset = parse_list(params)
    _, metric, metric_order = _sort(params)
    where = _filter(text(params, "filter"))
    after = text(params, "cursor")
    if after is not None and offset:
        raise InvalidInput("give a cursor or an offset, not both", parameter="offset")
    model_filter: dict[str, object] = {
        "family": wanted.family.name if wanted.family else None,
        "trainedOn": wanted.dataset,
        "testsHypothesis": wanted.hypothesis,
        "latestOnly": wanted.latest_only,
        "search": wanted.search,
        "tag": {"key": wanted.tag[0], "value": wanted.tag[1]} if wanted.tag else None,
        "alias": wanted.alias,
    }
    if where is not None:
        model_filter["and"] = [filter_inputs.as_input(where)]
    sorted_by: dict[str, object] = {"field": sort.upper(), "direction": order.upper()}
    if metric is not None:
        sorted_by["metric"] = {"name": metric, "order": (metric_order or "best").upper()}
    return {"f": model_filter, "s": sorted_by, "l": limit, "o": offset, "a": after}


def list_body(data: dict[str, Any]) -> bytes:
    page = data["models"]
    items = [rest_json.summary_from_graphql(m) for m in page["items"]]
    return orjson.dumps(
        {"models": items, "total": page["total"], "next_cursor": page["nextCursor"]}
    )


async def list_models(request: Request) -> Response:
    """GET /api/models: the spec's filtered, sorted page with its total.

    It runs the GraphQL models query, so both surfaces answer the same question one way.
    """
    variables = list_variables(request.query_params)
    try:
        data = await read(request, rest_json.LIST_QUERY, variables)
    except RegistryError as e:
        if e.code == "BAD_CURSOR":
            raise RegistryError(e.message, code=e.code, parameter="cursor") from None
        raise
    return Response(list_body(data), media_type="application/json")


async def model_detail(request: Request) -> Response:
    """GET /api/models/{id}: a model with versions, linked artifacts and provenance."""
    ref = request.path_params["id"]
    found = await request.state.db.read(lambda c: detail.model_detail(c, ref))
    return JSONResponse(rest_json.model_detail(found))


async def compare_models(request: Request) -> Response:
    """GET /api/models/compare?ids=a,b[&baseline=b]: the structured comparison."""
    ids = id_list(request.query_params, "ids")
    baseline = text(request.query_params, "baseline")
    result = await request.state.db.read(lambda c: compare.compare(c, ids, baseline))
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
        Route("/api/metrics", reading(rest_metrics.list_metrics)),
        Route("/api/models/{id}", reading(model_detail)),
        Route("/api/models/{lineage}/aliases", reading(rest_aliases.list_aliases)),
        Route(
            "/api/models/{lineage}/aliases/{alias}",
            rest_aliases.move_alias,
            methods=["PUT", "DELETE"],
        ),
        Route("/api/v1/lineage", rest_lineage.post_event, methods=["POST"]),
        Route("/api/v1/lineage/facets/{version}/{name}", reading(rest_lineage.facet_schema)),
    ]
