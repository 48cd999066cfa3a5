"""An OR of metric and tag conditions is planned as probes of the models a page walks.

The pool plans each statement once without its values (force_generic_plan). An EXISTS under
OR cannot become a join; counting its calls over the whole walk rather than the page, the
planner hashes every row it could match instead, on each execution: 18,000 rows for a page
of 20 at 100,000 models (make bench, (i)). The catalog is bench/generate.py's at 2,000 model
versions, where that plan already appears; the plan is the generic one of the statement the
fast path compiles.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from app.db.pool import SESSION_SETTINGS
from app.schema.fastpath import FastPath, Limits
from bench.generate import fill

SIZE = 2000
ITEMS = "items { id title qualityScore evaluationMetricsJson } hasNextPage nextCursor"
MIXED_OR = f"""{{ models(filter: {{or: [
    {{family: BIOPHYSICAL, metric: {{name: "rmse", lt: 0.2}}}},
    {{family: DEEP_LEARNING, tag: {{key: "team", value: "platform"}}}}]}},
  sort: {{field: QUALITY_SCORE, direction: DESC}}, limit: 20) {{ {ITEMS} }} }}"""


@pytest.fixture
async def catalog(db: asyncpg.Pool, pg_dsn: str) -> Any:
    raw = await asyncpg.connect(pg_dsn, server_settings=SESSION_SETTINGS)
    try:
        await fill(raw, SIZE, seed=5, tagged=True)
        yield raw
    finally:
        await raw.close()


async def generic_plan(conn: asyncpg.Connection, query: str) -> list[dict[str, Any]]:
    """Every node of the generic plan of the statement the fast path compiles for ``query``."""
    compiled = FastPath(Limits(10**6, 10**6)).compile(query, None, None)
    assert compiled is not None, "the fast path answers this query"
    literals = [
        await conn.fetchval("select quote_literal($1::text)", str(a)) for a in compiled.params
    ]
    await conn.execute(f"prepare listed as {compiled.statement}")
    try:
        raw = await conn.fetchval(f"explain (format json) execute listed({', '.join(literals)})")
    finally:
        await conn.execute("deallocate listed")

    def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [node, *[n for child in node.get("Plans", []) for n in walk(child)]]

    return walk(json.loads(raw)[0]["Plan"])


async def test_an_or_of_metric_and_tag_conditions_probes_each_model_it_walks(catalog):
    plan = await generic_plan(catalog, MIXED_OR)
    filters = " ".join(n.get("Filter", "") for n in plan)
    assert "hashed" not in filters, filters
    assert any(n.get("Index Name") == "models_by_quality" for n in plan), "it walks the sort"
    probed = {n.get("Index Name") for n in plan if n.get("Parent Relationship") == "SubPlan"}
    assert {"model_metrics_pkey", "tags_pkey"} <= probed, probed
