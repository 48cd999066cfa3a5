"""Composable model filters end to end: random filter trees through GraphQL (both paths) and
REST answer what a plain Python evaluation over every model of a seeded catalog says; metric
sorts and keyset cursors page through every model once, in order, and refuse foreign cursors."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.domain import Family
from app.schema.filter_inputs import as_input
from app.search import render
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model
from tests.filter_eval import Record, Vocabulary, evaluate, random_tree
from tests.http import running_app

SEED = 1606
TREES = 60
PAGE = """query($f: ModelFilter, $s: ModelSort, $a: String, $l: Int!) {
  models(filter: $f, sort: $s, after: $a, limit: $l) {
    total items { id } nextCursor hasNextPage } }"""


async def seeded(conn: Any) -> None:
    """Models over the evaluator's default vocabulary: families, metrics some lack, tags,
    aliases, links pinned and floating, archived and older versions, words in titles."""
    rng = random.Random(SEED)
    for lineage in ("dataset-a", "dataset-a", "dataset-b"):
        await make_dataset(conn, lineage)
    for _ in range(2):
        await make_analysis(conn, "analysis-a")
    await make_hypothesis(conn, "hypothesis-a")
    await make_model(conn, "model-a", family=Family.BIOPHYSICAL)
    words = ("spiking", "Model", "net", "o'brien", "glial")
    for i in range(40):
        metrics: dict[str, float] = {}
        for name, (low, high) in (
            ("rmse", (0.0, 1.0)),
            ("auc", (0.5, 1.0)),
            ("val loss", (0.0, 2.0)),
        ):
            if rng.random() < 0.7:
                metrics[name] = round(rng.uniform(low, high), 3)
        await make_model(
            conn,
            f"m{i % 30}",
            title=f"{rng.choice(words)} {rng.choice(words)} {i}",
            family=rng.choice(list(Family)),
            architecture=rng.choice(("lif", "cnn", "glm", "LIF net")),
            parameter_count=rng.randint(0, 10_000_000),
            raw_quality_score=round(rng.random(), 2),
            evaluation_metrics=metrics,
            trained_on=rng.choice(
                (
                    (),
                    ("dataset-a-v1",),
                    ("dataset-a",),
                    ("dataset-b",),
                    ("dataset-a-v1", "dataset-b"),
                )
            ),
            produced_by=rng.choice((None, "analysis-a-v1", "analysis-a")),
            tests=("hypothesis-a",) if rng.random() < 0.5 else (),
            derived_from=("model-a-v1",) if rng.random() < 0.2 else (),
        )
    await conn.execute(
        """
        insert into tags (artifact_id, key, value)
        select id, 'team', (array['neuro', 'imaging'])[1 + abs(hashtext(id)) % 2]
        from artifacts where kind = 'model' and abs(hashtext(id)) % 3 = 0
        union all
        select id, 'split', 'a' from artifacts
        where kind = 'model' and abs(hashtext(id || 's')) % 4 = 0
        """
    )
    await conn.execute(
        "update artifacts set archived_at = clock_timestamp(), archived_reason = 'old' "
        "where kind = 'model' and abs(hashtext(id || 'x')) % 7 = 0"
    )
    await conn.execute(
        """
        insert into aliases (lineage_id, alias, version_id)
        select lineage_id, (array['production', 'champion'])[1 + abs(hashtext(id)) % 2], id
        from artifacts where kind = 'model' and abs(hashtext(id || 'a')) % 4 = 0
        on conflict do nothing
        """
    )


async def records(conn: Any) -> list[Record]:
    """Every model as the evaluator reads it, from the stored rows (a link reaches its pinned
    version, or its lineage's latest when it floats; a ref names the version or lineage)."""
    latest = {
        r["lineage_id"]: r["id"]
        for r in await conn.fetch("select lineage_id, id from artifacts where is_latest")
    }
    reached: dict[tuple[str, str], set[str]] = {}
    for lk in await conn.fetch(
        "select source_id, type, target_lineage_id, target_version_id from links"
    ):
        version = lk["target_version_id"] or latest[lk["target_lineage_id"]]
        reached.setdefault((lk["source_id"], lk["type"]), set()).update(
            {version, lk["target_lineage_id"]}
        )
    found = []
    for r in await conn.fetch(
        """select a.*, (select coalesce(jsonb_object_agg(t.key, t.value), '{}') from tags t
                  where t.artifact_id = a.id) as tag_map,
                  (select coalesce(array_agg(al.alias), '{}') from aliases al
                  where al.version_id = a.id) as alias_names
           from artifacts a where kind = 'model'"""
    ):

        def links(t: str, model: str = r["id"]) -> frozenset[str]:
            return frozenset(reached.get((model, t), set()))

        found.append(
            Record(
                id=r["id"],
                family=r["family"],
                architecture=r["architecture"],
                quality_score=r["quality_score"],
                parameter_count=r["parameter_count"],
                created_at=r["created_at"],
                metrics={k: float(v) for k, v in r["evaluation_metrics"].items()},
                tags=dict(r["tag_map"]),
                aliases=frozenset(r["alias_names"]),
                warnings=frozenset(w["code"] for w in r["provenance_warnings"]),
                trained_on=links("trained_on"),
                produced_by=links("produced_by"),
                tests_hypothesis=links("tests_hypothesis"),
                derived_from=links("derived_from"),
                is_latest=r["is_latest"],
                archived=r["archived_at"] is not None,
                title=r["title"],
                description=r["description"],
            )
        )
    return found


async def test_random_filter_trees_answer_what_a_plain_evaluation_says(conn, pg_dsn):
    await seeded(conn)
    catalog = await records(conn)
    rng = random.Random(SEED)
    trees = [random_tree(rng, Vocabulary()) for _ in range(TREES)]
    compiled = 0
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            for tree in trees:
                expected = sorted(r.id for r in catalog if evaluate(tree, r))
                api.sql.reset()
                page = (await api.data(PAGE, {"f": {"and": [as_input(tree)]}, "l": 100}))["models"]
                compiled += fast == "1" and len(api.sql.statements) == 1
                got = sorted(m["id"] for m in page["items"])
                assert (got, page["total"]) == (expected, len(expected)), render.render(tree)
                rest = await api.client.get(
                    "/api/models", params={"filter": render.render(tree), "limit": 100}
                )
                assert sorted(m["id"] for m in rest.json()["models"]) == expected
    assert compiled >= TREES * 0.9  # the compiled statement answers them, in one statement


@pytest.mark.parametrize("order", ["BEST", "ASC", "DESC"])
async def test_cursor_pages_walk_a_metric_sort_once_in_order_with_models_lacking_it_last(
    conn, pg_dsn, order
):
    await seeded(conn)
    catalog = {r.id: r for r in await records(conn)}
    descending = order == "DESC"  # rmse is lower-is-better: BEST is ascending
    with_it = sorted((r for r in catalog.values() if "rmse" in r.metrics),
                     key=lambda r: (r.metrics["rmse"], r.id), reverse=descending)  # fmt: skip
    without = sorted(
        (r.id for r in catalog.values() if "rmse" not in r.metrics), reverse=descending
    )
    expected = [r.id for r in with_it] + without
    sort = {"metric": {"name": "rmse", "order": order}}
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            seen, after = [], None
            while True:
                page = (await api.data(PAGE, {"s": sort, "a": after, "l": 7}))["models"]
                seen += [m["id"] for m in page["items"]]
                if not page["hasNextPage"]:
                    assert page["nextCursor"] is None
                    break
                after = page["nextCursor"]
            assert seen == expected


async def test_a_cursor_stays_put_when_models_are_added_and_is_refused_by_another_list(api, conn):
    await seeded(conn)
    first = (await api.data(PAGE, {"s": {"field": "QUALITY_SCORE"}, "l": 5}))["models"]
    nxt = first["nextCursor"]
    second = (await api.data(PAGE, {"s": {"field": "QUALITY_SCORE"}, "a": nxt, "l": 5}))["models"]
    await make_model(conn, "newcomer", raw_quality_score=1.0)  # sorts before every page seen
    again = (await api.data(PAGE, {"s": {"field": "QUALITY_SCORE"}, "a": nxt, "l": 5}))["models"]
    assert again["items"] == second["items"]
    for variables in (
        {"s": {"field": "CREATED_AT"}, "a": nxt, "l": 5},  # another sort
        {"f": {"family": "STATISTICAL"}, "s": {"field": "QUALITY_SCORE"}, "a": nxt, "l": 5},
        {"s": {"field": "QUALITY_SCORE"}, "a": nxt[:-1] + ("0" if nxt[-1] != "0" else "1"), "l": 5},
        {"s": {"field": "QUALITY_SCORE"}, "a": "not a cursor", "l": 5},
    ):
        (error,) = (await api.gql(PAGE, variables))["errors"]
        assert error["extensions"]["code"] == "BAD_CURSOR"
    r = await api.client.get("/api/models", params={"sort": "quality_score", "cursor": "x.y"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_CURSOR"


async def test_rest_filters_point_at_the_error_and_unknown_metrics_match_nothing(api, conn):
    await seeded(conn)
    r = await api.client.get("/api/models", params={"filter": "metrics.rmse < 0.5 AND famly = 'x'"})
    error = r.json()["error"]
    assert (r.status_code, error["code"], error["position"]) == (400, "BAD_FILTER", 23)
    deep = "archived = true"
    for joiner in ("OR", "AND", "OR", "AND", "OR"):  # five levels: one past the limit
        deep = f"latest = true {joiner} ({deep})"
    r = await api.client.get("/api/models", params={"filter": deep})
    assert r.json()["error"]["code"] == "FILTER_TOO_COMPLEX"
    r = await api.client.get("/api/models", params={"filter": "metrics.nosuch > 0"})
    assert r.status_code == 200 and r.json()["total"] == 0
    best = await api.client.get(
        "/api/models",
        params={
            "filter": "trained_on = 'dataset-a' AND latest = true AND provenance_complete = true",
            "sort": "metric:rmse",
            "limit": 3,
        },
    )
    values = [m["evaluation_metrics"].get("rmse") for m in best.json()["models"]]
    assert values == sorted(v for v in values if v is not None) + [v for v in values if v is None]


DEEP = [(40, {"FILTER_TOO_COMPLEX"}), (300, {"FILTER_TOO_COMPLEX", "BAD_USER_INPUT"})]


@pytest.mark.parametrize(("levels", "codes"), DEEP)
async def test_a_filter_nested_past_any_limit_is_refused_with_a_code(api, conn, levels, codes):
    nested: dict[str, Any] = {"archived": True}
    for i in range(levels):
        nested = {"and": [nested]} if i % 2 else {"not": nested}
    body = await api.gql(PAGE, {"f": nested, "l": 1})
    (error,) = body["errors"]
    assert error["extensions"]["code"] in codes
