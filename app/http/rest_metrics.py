"""GET /api/metrics: the metric names the registry knows, as GraphQL's Query.metrics has them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app import paging
from app.domain import iso_utc
from app.http.rest_params import integer, text
from app.service import metrics
from app.service.metrics import MetricName


def metric_name(n: MetricName) -> dict[str, Any]:
    d = n.declaration
    return {
        "name": n.name,
        "direction": n.direction.value,
        "decided": n.decided.value,
        "declared": d is not None,
        "description": d.description if d else None,
        "declared_at": iso_utc(d.declared_at) if d else None,
        "declared_by": d.declared_by if d else None,
    }


async def list_metrics(request: Request) -> Response:
    """GET /api/metrics?search=&limit=&offset=: a page of names, by name, with the total."""
    params = request.query_params
    limit = integer(params, "limit", paging.PAGE_DEFAULT)
    offset = integer(params, "offset", 0)
    search = text(params, "search")
    found = await request.state.db.read(lambda c: metrics.known(c, search, limit, offset))
    return JSONResponse({"metrics": [metric_name(n) for n in found.items], "total": found.total})
