"""The compiled model list is planned for the page it reads, not for a tenth of the catalog.

The pool plans each statement once without its values (force_generic_plan). A LIMIT it
cannot read is planned for 10% of the rows, and an EXISTS under OR, its calls counted over the
whole walk, as a hash of every row it could match: at 100,000 models the first turns a page
by a metric into a parallel scan, the second reads 18,000 rows for 20 (make bench, (h) and
(i)). The catalog is bench/generate.py's at 2,000 model versions, where both plans already
differ; the plans are the generic ones of the statements the fast path compiles.
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
BY_METRIC = f"""{{ models(sort: {{metric: {{name: "rmse"}}}}, limit: 20) {{ {ITEMS} }} }}"""
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


async def test_a_page_by_a_metric_is_planned_for_a_page_of_rows(catalog):
    with_metric = await catalog.fetchval("select count(*) from model_metrics where name = 'rmse'")
    assert with_metric / 10 > 21, "a tenth of the list is more than a page"
    plan = await generic_plan(catalog, BY_METRIC)
    walks = [n for n in plan if n.get("Index Name") == "model_metrics_by_value"]
    assert walks, "the page walks the metric's index"
    assert not [n for n in plan if n["Node Type"].startswith("Gather")]
    limits = [n["Plan Rows"] for n in plan if n["Node Type"] == "Limit"]
    assert max(limits) <= 21, f"every limit is planned for at most a page and one: {limits}"


async def test_an_or_of_metric_and_tag_conditions_probes_each_model_it_walks(catalog):
    plan = await generic_plan(catalog, MIXED_OR)
    filters = " ".join(n.get("Filter", "") for n in plan)
    assert "hashed" not in filters, filters
    assert any(n.get("Index Name") == "models_by_quality" for n in plan), "it walks the sort"
    probed = {n.get("Index Name") for n in plan if n.get("Parent Relationship") == "SubPlan"}
    assert {"model_metrics_pkey", "tags_pkey"} <= probed, probed
