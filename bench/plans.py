"""Query plans of the registry's model list under every filter and sort, and of the
statements ours runs for the search workloads (g), (h), (i).

The SQL is captured from the app's own repo functions (app/repo/catalog.py: list_models and
count_models, called with a recording connection), with the filter ids resolved by the app's
service (app/service/catalog.py: model_query), then prepared and run under EXPLAIN (ANALYZE)
on a connection set up like the app's pool (app.db.pool.SESSION_SETTINGS). Preparing matters:
the pool runs each statement with the generic plan that force_generic_plan asks for, made
without the values, while EXPLAIN of a statement with bound values shows a plan made for them.

The search workloads' statements are the compiled ones (app/schema/fastpath.py) made from
exactly the GraphQL requests the benchmark sends; (h)'s cursor is walked here through the
same compiled pages.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from app.db.pool import SESSION_SETTINGS
from app.domain import Family
from app.repo import catalog as catalog_repo
from app.repo.catalog import ModelQuery
from app.repo.compiled import fetch_json, finish
from app.schema.fastpath import FastPath, Limits
from app.service import catalog
from bench import search_workloads
from bench.search_workloads import SearchParams
from bench.workloads import Params, Request

BIG_TABLES = ("artifacts", "links", "model_metrics", "tags")
REPEAT = 3

FILTERS: dict[str, Callable[[Params], catalog.ModelFilter]] = {
    "none": lambda p: catalog.ModelFilter(),
    "family": lambda p: catalog.ModelFilter(family=Family(p.family)),
    "trainedOn (busiest dataset lineage)": lambda p: catalog.ModelFilter(
        dataset=p.busy_dataset_lineage
    ),
    "trainedOn (its busiest version)": lambda p: catalog.ModelFilter(
        dataset=p.busy_dataset_version
    ),
    "trainedOn (its busiest version), family": lambda p: catalog.ModelFilter(
        dataset=p.busy_dataset_version, family=Family(p.family)
    ),
    "testsHypothesis (busiest lineage)": lambda p: catalog.ModelFilter(
        hypothesis=p.hypothesis_lineage
    ),
    "latestOnly": lambda p: catalog.ModelFilter(latest_only=True),
    "search 'microglia'": lambda p: catalog.ModelFilter(search="microglia"),
}
SORTS = [(field, direction) for field in catalog.SORTS for direction in ("desc", "asc")]


class _Capture:
    """Stands in for a connection and records the one statement a repo function runs."""

    def __init__(self) -> None:
        self.sql = ""
        self.args: tuple[Any, ...] = ()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.sql, self.args = sql, args
        return []

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.sql, self.args = sql, args
        return 0


@dataclass(frozen=True)
class Plan:
    ms: float
    rows: int
    shape: str
    seq_scans: tuple[str, ...]
    text: str


def _shape(node: dict[str, Any]) -> str:
    name = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        name += " Backward"
    if "Index Name" in node:
        name += f" {node['Index Name']}"
    elif "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    children = [_shape(c) for c in node.get("Plans", [])]
    return f"{name}({', '.join(children)})" if children else name


def _seq_scans(node: dict[str, Any]) -> list[str]:
    found = []
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
        found.append(node["Relation Name"])
    for child in node.get("Plans", []):
        found += _seq_scans(child)
    return found


async def _explain(conn: asyncpg.Connection, sql: str, args: tuple[Any, ...]) -> Plan:
    # EXECUTE takes its arguments as literals; each is typed by the prepared statement.
    literals = [
        await conn.fetchval("select quote_nullable($1::text)", None if a is None else str(a))
        for a in args
    ]
    execute = f"execute measured({', '.join(literals)})" if literals else "execute measured"
    await conn.execute(f"prepare measured as {sql}")
    # The pool runs a statement through a portal with a row limit (asyncpg's fetch and
    # fetchval), where PostgreSQL launches no parallel workers: the leader runs a Gather's
    # plan alone. EXPLAIN ANALYZE would launch them; without any to launch it runs as the pool.
    await conn.execute("set max_parallel_workers = 0")
    try:
        best: dict[str, Any] | None = None
        for _ in range(REPEAT):
            raw = await conn.fetchval(f"explain (analyze, timing off, format json) {execute}")
            doc = json.loads(raw)[0]
            if best is None or doc["Execution Time"] < best["Execution Time"]:
                best = doc
        assert best is not None
        text_rows = await conn.fetch(f"explain {execute}")
    finally:
        await conn.execute("deallocate measured")
        await conn.execute("reset max_parallel_workers")
    return Plan(
        ms=best["Execution Time"],
        rows=best["Plan"].get("Actual Rows", 0),
        shape=_shape(best["Plan"]),
        seq_scans=tuple(_seq_scans(best["Plan"])),
        text="\n".join(r[0] for r in text_rows),
    )


async def _captured(
    repo_function: Callable[[Any, ModelQuery], Awaitable[object]], q: ModelQuery
) -> tuple[str, tuple[Any, ...]]:
    """The SQL and arguments ``repo_function`` sends for ``q``."""
    cap = _Capture()
    await repo_function(cap, q)
    return cap.sql, cap.args


async def list_plans(dsn: str, p: Params) -> dict[tuple[str, str], Plan]:
    """Plans keyed by (filter, sort); sort "count" is the total the list reports."""
    conn = await asyncpg.connect(dsn, server_settings=SESSION_SETTINGS)
    out: dict[tuple[str, str], Plan] = {}
    try:
        for fname, make in FILTERS.items():
            for field, direction in SORTS:
                q = await catalog.model_query(conn, make(p), field, direction, 20, 0)
                assert q is not None, f"{fname} names nothing"
                sql, args = await _captured(catalog_repo.list_models, q)
                out[(fname, f"{field} {direction}")] = await _explain(conn, sql, args)
            assert q is not None
            sql, args = await _captured(catalog_repo.count_models, q)
            out[(fname, "count")] = await _explain(conn, sql, args)
    finally:
        await conn.close()
    return out


class NotCompiled(Exception):
    """The registry answers this request through its resolvers, not one statement."""


def _compiled(fast: FastPath, req: Request) -> tuple[str, tuple[Any, ...], Any]:
    assert req.body is not None
    found = fast.compile(req.body["query"], req.body.get("variables"), None)
    if found is None:
        raise NotCompiled(req.body["query"][:80])
    return found.statement, found.params, found.finishers


async def search_plans(dsn: str, s: SearchParams) -> dict[str, Plan | str]:
    """Plans of ours' statement for each search workload, by key (a string: not compiled)."""
    conn = await asyncpg.connect(dsn, server_settings=SESSION_SETTINGS)
    fast = FastPath(Limits(max_query_cost=10**9, max_response_objects=10**9))

    async def ask(req: Request) -> Any:
        sql, args, finishers = _compiled(fast, req)
        answer = orjson.loads(await fetch_json(conn, sql, args) or "null")
        finish.apply(answer, finishers)
        return {"data": answer}

    out: dict[str, Plan | str] = {}
    try:
        for w in search_workloads.workloads(s):
            req = w.requests.get("ours")
            if w.deep is not None:
                req = search_workloads.metric_page(await search_workloads.walk_cursor(ask, w.deep))
            assert req is not None
            try:
                sql, args, _ = _compiled(fast, req)
            except NotCompiled:
                out[w.key] = "not compiled: the resolvers answer"
                continue
            out[w.key] = await _explain(conn, sql, args)
    finally:
        await conn.close()
    return out
