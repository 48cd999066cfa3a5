"""Model lists filtered by dataset or hypothesis: ordered link walks and trigger-kept totals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.db.pool import SESSION_SETTINGS
from app.domain import Family, LinkSpec, LinkType
from app.readmodel import filters
from app.repo import catalog as catalog_repo
from app.service import catalog, curate
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model

SORTS = [(s, d) for s in catalog.SORTS for d in catalog.DIRECTIONS]
PAGES = [(5, 0), (5, 5), (7, 10), (100, 0), (3, 40)]

# The definition, written without the counters or the copied sort keys: a model matches a
# ref when one of its links of that type reaches the version the ref names (a version id),
# or any version of the lineage (a lineage id). A pinned link reaches its version; a
# floating one the latest version of its lineage.
REFERENCE = """
select a.id from artifacts a
where a.kind = 'model'
  and ($1::text is null or a.family = $1)
  and (not $2::bool or a.is_latest)
  and ($3::text is null or strpos(lower(a.title), lower($3)) > 0)
  and ($4::text is null or exists (
      select 1 from links l join artifacts t on t.lineage_id = l.target_lineage_id
          and (t.id = l.target_version_id or (l.target_version_id is null and t.is_latest))
      where l.source_id = a.id and l.type = 'trained_on' and (t.id = $4 or t.lineage_id = $4)))
  and ($5::text is null or exists (
      select 1 from links l join artifacts t on t.lineage_id = l.target_lineage_id
          and (t.id = l.target_version_id or (l.target_version_id is null and t.is_latest))
      where l.source_id = a.id and l.type = 'tests_hypothesis'
        and (t.id = $5 or t.lineage_id = $5)))
"""


async def reference(conn: Any, f: catalog.ModelFilter) -> list[Any]:
    family = f.family.value if f.family else None
    args = (family, f.latest_only, f.search, f.dataset, f.hypothesis)
    return [args, await conn.fetchval(f"select count(*) from ({REFERENCE}) r", *args)]


async def reference_page(
    conn: Any, f: catalog.ModelFilter, sort: str, direction: str, limit: int, offset: int
) -> list[str]:
    args, _ = await reference(conn, f)
    column = "a." + filters.SORTS[sort].column
    records = await conn.fetch(
        f"{REFERENCE} order by {column} {direction}, a.id {direction} limit $6 offset $7",
        *args,
        limit,
        offset,
    )
    return [r["id"] for r in records]


async def page(
    conn: Any, f: catalog.ModelFilter, sort: str, direction: str, limit: int, offset: int
) -> tuple[list[str], int]:
    q = await catalog.model_query(conn, f, sort, direction, limit, offset)
    items = await catalog.list_models(conn, q)
    return [m.id for m in items], await catalog.count_models(conn, q)


async def build_catalog(conn: Any) -> None:
    """Models reaching datasets and hypotheses every way: pinned to an old or the latest
    version, floating, or not at all; in two versions of a lineage; with ties on every key."""
    for _ in range(3):
        await make_dataset(conn, "ds-a")
    await make_dataset(conn, "ds-b")
    for _ in range(2):
        await make_hypothesis(conn, "hyp-a")
    datasets = [("ds-a-v1",), ("ds-a-v3",), ("ds-a",), ("ds-b",), ("ds-a-v2", "ds-b")]
    hypotheses: list[tuple[str, ...]] = [("hyp-a-v1",), ("hyp-a",), ("hyp-a-v2",), ()]
    families = list(Family)
    for i in range(36):
        lineage = f"m-{i % 30:02d}"  # the last six lineages get a second version
        await make_model(
            conn,
            lineage,
            title=f"{'Microglia' if i % 3 == 0 else 'Astrocyte'} model {i}",
            trained_on=datasets[i % 5],
            tests=hypotheses[i % 4],
            family=families[i % 3],
            raw_quality_score=[0.1, 0.2, 0.2, 0.9][i % 4],
            parameter_count=[10, 20, 20, 30][i % 4],
        )
    # Ties on created_at too; the copies on the links must follow.
    await conn.execute(
        "update artifacts set created_at = '2024-01-01T00:00:00Z'"
        " where kind = 'model' and right(id, 1) in ('1', '3')"
    )


FILTERS = [
    catalog.ModelFilter(dataset="ds-a"),
    catalog.ModelFilter(dataset="ds-a-v1"),
    catalog.ModelFilter(dataset="ds-a-v2"),
    catalog.ModelFilter(dataset="ds-a-v3"),
    catalog.ModelFilter(dataset="ds-b"),
    catalog.ModelFilter(hypothesis="hyp-a"),
    catalog.ModelFilter(hypothesis="hyp-a-v1"),
    catalog.ModelFilter(hypothesis="hyp-a-v2"),
    catalog.ModelFilter(dataset="ds-a-v3", family=Family.STATISTICAL),
    catalog.ModelFilter(dataset="ds-a", latest_only=True),
    catalog.ModelFilter(dataset="ds-a-v3", search="microglia"),
    catalog.ModelFilter(dataset="ds-a-v3", hypothesis="hyp-a-v2"),
    catalog.ModelFilter(dataset="ds-b", hypothesis="hyp-a"),
    catalog.ModelFilter(
        hypothesis="hyp-a", family=Family.DEEP_LEARNING, latest_only=True, search="MODEL"
    ),
]


@pytest.mark.parametrize("f", FILTERS, ids=repr)
async def test_filtered_pages_equal_the_reference_for_every_sort_and_page(conn, f):
    await build_catalog(conn)
    _, expected_total = await reference(conn, f)
    assert expected_total > 0
    for sort, direction in SORTS:
        for limit, offset in PAGES:
            got, total = await page(conn, f, sort, direction, limit, offset)
            want = await reference_page(conn, f, sort, direction, limit, offset)
            assert (got, total) == (want, expected_total), (sort, direction, limit, offset)


async def reach_totals_match_the_reference(conn: Any) -> None:
    """Every counter equals a count of the links; every single-target total equals the
    reference; every link carries its model's current sort keys."""
    kept = {
        (r["type"], r["scope"], r["target_id"]): r["n"]
        for r in await conn.fetch("select * from link_counts where n <> 0")
    }
    truth = {
        (r["type"], r["scope"], r["target_id"]): r["n"]
        for r in await conn.fetch(
            """
            select type, 'lineage' as scope, target_lineage_id as target_id, count(*) as n
            from links group by 1, 3
            union all
            select type, case when target_version_id is null then 'floating' else 'version' end,
                   coalesce(target_version_id, target_lineage_id), count(*)
            from links group by 1, 2, 3
            """
        )
        if r["type"] in ("trained_on", "tests_hypothesis")
    }
    assert kept == truth
    stale = await conn.fetchval(
        """
        select count(*) from links l join artifacts a on a.id = l.source_id
        where l.type in ('trained_on', 'tests_hypothesis')
          and (l.source_quality_score, l.source_created_at, l.source_parameter_count)
              is distinct from (a.quality_score, a.created_at, a.parameter_count)
        """
    )
    assert stale == 0
    targets = await conn.fetch(
        "select id, lineage_id, kind from artifacts where kind in ('dataset', 'hypothesis')"
    )
    refs = {(t["kind"], ref) for t in targets for ref in (t["id"], t["lineage_id"])}
    for kind, ref in sorted(refs):
        f = (
            catalog.ModelFilter(dataset=ref)
            if kind == "dataset"
            else catalog.ModelFilter(hypothesis=ref)
        )
        q = await catalog.model_query(conn, f, "created_at", "desc", 20, 0)
        assert q is not None and catalog_repo.counted_total(q) is not None
        _, want = await reference(conn, f)
        assert await catalog.count_models(conn, q) == want, ref


async def test_counters_and_sort_keys_stay_exact_through_every_write(conn):
    await make_dataset(conn, "d")
    await make_hypothesis(conn, "h")
    analysis = await make_analysis(conn, "an", uses=("d-v1",), addresses=("h-v1",))
    await make_model(conn, "m1", trained_on=("d",))
    await make_model(conn, "m2", trained_on=("d-v1",), tests=("h",))
    await make_model(conn, "m3", trained_on=("d",), tests=("h-v1",))
    m4 = await make_model(conn, "m4", trained_on=("d-v1",), tests=("h-v1",), raw_quality_score=0.9)
    await reach_totals_match_the_reference(conn)

    # The latest version moves: floating links now reach d-v2, no longer d-v1.
    await make_dataset(conn, "d")
    await make_hypothesis(conn, "h")
    await reach_totals_match_the_reference(conn)
    q = await catalog.model_query(
        conn, catalog.ModelFilter(dataset="d-v2"), "created_at", "asc", 20, 0
    )
    assert [m.id for m in await catalog.list_models(conn, q)] == ["m1-v1", "m3-v1"]

    # A floating link replaced by a pinned one, another removed, one added.
    await curate.add_links(conn, "m1", [LinkSpec(LinkType.TRAINED_ON, "d-v1")], "t")
    await curate.remove_links(conn, "m2", [(LinkType.TRAINED_ON, "d-v1")], "t")
    await curate.add_links(conn, "m2", [LinkSpec(LinkType.TESTS_HYPOTHESIS, "h-v2")], "t")
    await reach_totals_match_the_reference(conn)

    # Rescoring: a producing analysis lifts the cap, and the link copies follow.
    await curate.add_links(conn, "m4", [LinkSpec(LinkType.PRODUCED_BY, analysis.id)], "t")
    rescored = await conn.fetchval("select quality_score from artifacts where id = $1", m4.id)
    assert m4.model is not None and rescored > m4.model.quality_score
    await reach_totals_match_the_reference(conn)
    q = await catalog.model_query(
        conn, catalog.ModelFilter(dataset="d-v1"), "quality_score", "desc", 1, 0
    )
    assert [m.id for m in await catalog.list_models(conn, q)] == [m4.id]

    # A new model version brings its own links.
    await make_model(conn, "m4", trained_on=("d",), tests=("h",))
    await reach_totals_match_the_reference(conn)
    # No API deletes a version (the audit trail refers to it), but a cascade must count too.
    await conn.execute("delete from audit_log where artifact_id = 'm3-v1'")
    await conn.execute("delete from artifacts where id = 'm3-v1'")
    await reach_totals_match_the_reference(conn)


async def test_two_links_written_in_one_statement_count_once_each(conn):
    await make_dataset(conn, "d")
    await make_dataset(conn, "e")
    await make_model(conn, "m", trained_on=("d", "e-v1"))
    await curate.add_links(
        conn,
        "m",
        [LinkSpec(LinkType.TRAINED_ON, "d-v1"), LinkSpec(LinkType.TRAINED_ON, "e")],
        "t",
    )
    await reach_totals_match_the_reference(conn)


PAGE = """
query($filter: ModelFilter, $sort: ModelSort, $limit: Int, $offset: Int) {
  models(filter: $filter, sort: $sort, limit: $limit, offset: $offset) { total items { id } }
}
"""


async def test_graphql_pages_through_a_latest_version_like_the_reference(api, conn):
    await build_catalog(conn)
    f = catalog.ModelFilter(dataset="ds-a-v3")
    _, total = await reference(conn, f)
    for offset in (0, 4, 8):
        variables = {
            "filter": {"trainedOn": "ds-a-v3"},
            "sort": {"field": "PARAMETER_COUNT", "direction": "ASC"},
            "limit": 4,
            "offset": offset,
        }
        data = (await api.data(PAGE, variables))["models"]
        want = await reference_page(conn, f, "parameter_count", "asc", 4, offset)
        assert data == {"total": total, "items": [{"id": i} for i in want]}


async def big_catalog(conn: Any, n: int = 4000) -> None:
    """``n`` models straight in SQL: a quarter trained on one busy dataset (half of them
    pinned to its latest version, half floating), the rest spread over 200 small ones."""
    statements = [
        """
        insert into lineages (id, kind, latest_version)
        select 'ds-' || i, 'dataset', 2 from generate_series(0, 200) i
        """,
        """
        insert into artifacts (id, lineage_id, kind, version_number, is_latest, title)
        select 'ds-' || i || '-v' || v, 'ds-' || i, 'dataset', v, v = 2, 'data'
        from generate_series(0, 200) i, generate_series(1, 2) v
        """,
        """
        insert into lineages (id, kind, latest_version)
        select 'pm-' || i, 'model', 1 from generate_series(1, $1::int) i
        """,
        """
        insert into artifacts (
            id, lineage_id, kind, version_number, is_latest, title, family, architecture,
            parameter_count, training_config, evaluation_metrics, metric_directions,
            raw_quality_score, quality_score, provenance_warnings)
        select 'pm-' || i || '-v1', 'pm-' || i, 'model', 1, true, 'model ' || i,
               (array['biophysical', 'deep_learning', 'statistical'])[1 + i % 3], 'x',
               i % 1000, '{}', '{}', '{}', (i % 97) / 100.0, (i % 97) / 100.0, '[]'
        from generate_series(1, $1::int) i
        """,
        """
        insert into links (
            source_id, source_kind, type, target_lineage_id, target_kind, target_version_id)
        select 'pm-' || i || '-v1', 'model', 'trained_on',
               case when i % 4 = 0 then 'ds-0' else 'ds-' || 1 + i % 200 end, 'dataset',
               case when i % 8 = 0 then null when i % 4 = 0 then 'ds-0-v2'
                    else 'ds-' || 1 + i % 200 || '-v1' end
        from generate_series(1, $1::int) i
        """,
    ]
    for sql in statements:
        await conn.execute(sql, *([n] if "$1" in sql else []))
    await conn.execute("analyze lineages, artifacts, links")


class Recorder:
    """A connection that remembers the statements sent through it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.statements.append((sql, args))
        return list(await self.conn.fetch(sql, *args))


async def generic_plan(conn: Any, sql: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """The plan the app's pool runs: prepared once, then planned without the values."""
    literals = [await conn.fetchval("select quote_literal($1::text)", str(a)) for a in args]
    await conn.execute(f"prepare listed as {sql}")
    try:
        raw = await conn.fetchval(f"explain (format json) execute listed({', '.join(literals)})")
    finally:
        await conn.execute("deallocate listed")
    # The pool's codecs may have decoded the JSON already.
    doc = json.loads(raw) if isinstance(raw, str) else raw
    plan: dict[str, Any] = doc[0]["Plan"]
    return plan


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *[n for child in plan.get("Plans", []) for n in nodes(child)]]


@pytest.mark.parametrize(
    ("f", "indexes"),
    [
        (catalog.ModelFilter(dataset="ds-0"), {"links_lineage_"}),
        (catalog.ModelFilter(dataset="ds-0-v2"), {"links_version_", "links_floating_"}),
        (catalog.ModelFilter(dataset="ds-0", family=Family.STATISTICAL), {"links_lineage_"}),
    ],
    ids=["lineage", "latest version", "lineage and family"],
)
async def test_filtered_pages_walk_an_ordered_index_instead_of_sorting_all_matches(
    conn, f, indexes
):
    await big_catalog(conn)
    assert await conn.fetchval("show plan_cache_mode") == SESSION_SETTINGS["plan_cache_mode"]
    for sort, direction in SORTS:
        q = await catalog.model_query(conn, f, sort, direction, 20, 0)
        sent = Recorder(conn)
        assert q is not None and await catalog_repo.list_models(sent, q)
        plan = await generic_plan(conn, *sent.statements[-1])
        walked = {n.get("Index Name", "") for n in nodes(plan)}
        suffix = filters.SORTS[sort].link_column.removeprefix("source_")
        suffix = {"quality_score": "quality", "created_at": "created"}.get(suffix, "params")
        assert {i + suffix for i in indexes} <= walked, (sort, direction, plan)
        assert not any(n["Node Type"] in ("Sort", "Incremental Sort") for n in nodes(plan))
