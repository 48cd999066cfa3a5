"""An OR of metric and tag conditions is planned as probes of the models a page walks, and
the best models of one dataset by a metric as a walk of that dataset's trained_on_metrics.

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


async def generic_plan(
    conn: asyncpg.Connection, query: str, *, analyze: bool = False
) -> list[dict[str, Any]]:
    """Every node of the generic plan of the statement the fast path compiles for ``query``
    (``analyze``: run, with the rows each node read)."""
    compiled = FastPath(Limits(10**6, 10**6)).compile(query, None, None)
    assert compiled is not None, "the fast path answers this query"
    literals = [
        await conn.fetchval("select quote_literal($1::text)", str(a)) for a in compiled.params
    ]
    await conn.execute(f"prepare listed as {compiled.statement}")
    try:
        how = "analyze, format json" if analyze else "format json"
        raw = await conn.fetchval(f"explain ({how}) execute listed({', '.join(literals)})")
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


BEST_OF_DATASET = """{{ models(filter: {{trainedOn: "{dataset}", latestOnly: true,
    provenanceComplete: true}}, sort: {{metric: {{name: "rmse", order: BEST}}}}, limit: 20)
  {{ {items} }} }}"""


async def test_the_best_models_of_a_dataset_read_about_as_many_rows_as_the_page_keeps(catalog):
    # One dataset that every model is trained on: the page of 20 must not read them all.
    dataset = await catalog.fetchval(
        "select lineage_id from artifacts where kind = 'dataset' order by id limit 1"
    )
    await catalog.execute(
        "insert into links (source_id, source_kind, type, target_lineage_id, target_kind) "
        "select id, 'model', 'trained_on', $1, 'dataset' from artifacts where kind = 'model' "
        "on conflict do nothing",
        dataset,
    )
    # The plan is priced on the statistics and the visibility map: both as autovacuum would
    # leave them, not as it happens to have got to.
    await catalog.execute("vacuum (analyze) links, trained_on_metrics")
    candidates, kept = await catalog.fetchrow(
        "select count(*), count(*) filter (where a.is_latest and a.archived_at is null "
        "and jsonb_array_length(a.provenance_warnings) = 0) "
        "from trained_on_metrics s join artifacts a on a.id = s.artifact_id "
        "where s.target_lineage_id = $1 and s.name = 'rmse'",
        dataset,
    )
    query = BEST_OF_DATASET.format(dataset=dataset, items=ITEMS)
    plan = await generic_plan(catalog, query, analyze=True)
    (walk,) = [n for n in plan if n.get("Index Name") == "trained_on_metrics_walk"]
    assert walk["Node Type"] == "Index Only Scan"
    assert "Sort" not in {n["Node Type"] for n in _above(plan[0], walk)}, "it walks in order"
    # Each row walked is one model trained on the dataset, kept with the filter's odds; the
    # page (20 and one more) stops the walk once it is full.
    assert candidates > 300 and kept > 21
    assert walk["Actual Rows"] >= 21
    assert walk["Actual Rows"] <= min(2 * 21 * candidates / kept, candidates / 2), (
        walk["Actual Rows"],
        candidates,
        kept,
    )


def _above(root: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes from ``root`` down to ``target``'s parent."""
    for child in root.get("Plans", []):
        if child is target:
            return [root]
        found = _above(child, target)
        if found:
            return [root, *found]
    return []
