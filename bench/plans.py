"""Query plans of the registry's model list under every filter and sort.

The SQL is captured from the app's own repo functions (app/repo/catalog.py: list_models and
count_models, called with a recording connection), with the filter ids resolved by the app's
service (app/service/catalog.py: model_query), then prepared and run under EXPLAIN (ANALYZE)
on a connection set up like the app's pool (app.db.pool.SESSION_SETTINGS). Preparing matters:
the pool runs each statement with the generic plan that force_generic_plan asks for, made
without the values, while EXPLAIN of a statement with bound values shows a plan made for them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.db.pool import SESSION_SETTINGS
from app.domain import Family
from app.repo import catalog as catalog_repo
from app.repo.catalog import ModelQuery
from app.service import catalog
from bench.workloads import Params

BIG_TABLES = ("artifacts", "links")
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
