"""A metric sort of the models trained on one dataset walks trained_on_metrics, and pages
exactly what the other forms of app.readmodel.page_sql page: the metric walk over every
model, the read of the few models the filter picks, and a plain evaluation in Python.

The catalog has links pinned to an older and to the latest dataset version and floating on
a lineage, archived and older model versions, models without the metric, ties in value, and
a dataset alias; pages are read through cursors and offsets, in both directions.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.domain import Family
from app.readmodel import page_sql, tree_sql
from app.readmodel.page_sql import Order
from app.search import fields as fs
from app.search import model_lists, render
from app.search.cursor import Position
from app.search.fields import Field, Op
from app.search.tree import And, Leaf, Node, Not, Or, leaf
from tests.factories import make_model
from tests.filter_eval import Record, evaluate
from tests.http import running_app
from tests.test_model_search import records, seeded

REFS = (
    "dataset-a",  # the lineage: pinned to either version and floating
    "dataset-a-v1",  # an older version: pinned links only
    "dataset-a-v2",  # the latest version: pinned and floating links
    "dataset-b",
    "dataset-b-v1",
    "dataset-a@production",  # an alias on dataset-a-v1
    "dataset-a@staging",  # an alias that is not set
    "dataset-nothing",
    "dataset-a-v9",  # a version that does not exist
    "model-a-v1",  # not a dataset
)
# Where the aliases above point, for the plain evaluation.
ALIASED = {"dataset-a@production": "dataset-a-v1"}


def named(name: str, op: Op, value: object = None, param: str | None = None) -> Leaf:
    spec = next(s for s in fs.CATALOG if s.name == name)
    return leaf(Field(spec, param), op, value)


RESTS: tuple[Node | None, ...] = (
    None,
    named("latest", Op.EQ, True),
    And((named("latest", Op.EQ, True), named("provenance_complete", Op.EQ, True))),
    named("archived", Op.EQ, False),
    Not(named("family", Op.EQ, Family.BIOPHYSICAL.value)),
    named("metrics", Op.LT, 0.5, "rmse"),
    Or((named("tags", Op.EQ, "neuro", "team"), named("metrics", Op.PRESENT, None, "auc"))),
    # A second dataset: the first drives, the second is checked per row.
    named("trained_on", Op.EQ, "dataset-b"),
)
ORDERS = (
    Order(metric="rmse", descending=False),
    Order(metric="rmse", descending=True),
    Order(metric="auc", descending=True),
)
FORMS = ("walk", "metric", "driven")
PAGE = 4


async def tied(conn: Any) -> None:
    """Models sharing one value, over every kind of link to dataset-a, and an alias."""
    for i, trained_on in enumerate(
        (("dataset-a-v1",), ("dataset-a",), ("dataset-a-v2",), ("dataset-a-v1",), ("dataset-a",))
    ):
        await make_model(
            conn, f"tie{i}", trained_on=trained_on, evaluation_metrics={"rmse": 0.25, "auc": 0.9}
        )
    await conn.execute(
        "insert into aliases (lineage_id, alias, version_id) "
        "values ('dataset-a', 'production', 'dataset-a-v1')"
    )


def with_ref(ref: str, rest: Node | None) -> Node:
    found = named("trained_on", Op.EQ, ref)
    return (
        found
        if rest is None
        else And((found, *(rest.children if isinstance(rest, And) else (rest,))))
    )


def expected(
    catalog: list[Record], ref: str, rest: Node | None, order: Order
) -> list[tuple[str, float | None]]:
    """The page order of the models trained on ``ref`` that ``rest`` keeps, from the plain
    evaluation (which reads an alias as the version it points at)."""
    plain = with_ref(ALIASED.get(ref, ref), rest)
    kept = [r for r in catalog if evaluate(plain, r)]
    assert order.metric is not None
    with_it = sorted(
        ((r.id, r.metrics[order.metric]) for r in kept if order.metric in r.metrics),
        key=lambda p: (p[1], p[0]),
        reverse=order.descending,
    )
    without = sorted(
        (r.id for r in kept if order.metric not in r.metrics), reverse=order.descending
    )
    return [*with_it, *((i, None) for i in without)]


async def page(
    conn: Any,
    tree: Node,
    order: Order,
    form: str,
    *,
    after: Position | None = None,
    count: int = PAGE,
    offset: int = 0,
) -> list[tuple[str, float | None]]:
    """One page of the models ``tree`` keeps in ``order``, read by ``form``."""
    args: list[object] = []

    def bind(value: object, sql_type: str) -> str:
        args.append(value)
        return f"${len(args)}::{sql_type}"

    def where(node: Node | None) -> str:
        return " and ".join(
            ["a.kind = 'model'", *([tree_sql.condition(node, "a", bind)] if node else [])]
        )

    walk = None
    if form == "walk":
        found = model_lists.trained_on(tree)
        assert found is not None
        walk = page_sql.Walk(found[0], where(found[1]))
    rows = page_sql.page_rows(
        "a",
        where(tree) if walk is None else None,
        order,
        bind,
        after=after,
        count=count,
        offset=offset,
        driven=form == "driven",
        walk=walk,
    )
    sql = f"select a.id, a.sort_key from ({rows}) a order by {page_sql.outer_order('a', order)}"
    if form == "walk":
        assert "trained_on_metrics" in sql and "model_metrics s " not in sql
    return [(r["id"], r["sort_key"]) for r in await conn.fetch(sql, *args)]


async def every_page(
    conn: Any, tree: Node, order: Order, form: str
) -> list[tuple[str, float | None]]:
    """The whole list, read PAGE items at a time through cursors."""
    seen: list[tuple[str, float | None]] = []
    after = None
    while True:
        found = await page(conn, tree, order, form, after=after)
        seen += found
        if len(found) < PAGE:
            return seen
        after = Position(found[-1][1], found[-1][0])


@pytest.fixture
async def catalog(conn: Any) -> list[Record]:
    await seeded(conn)
    await tied(conn)
    return await records(conn)


async def test_the_walk_pages_every_shape_as_the_other_forms_and_the_evaluation_do(conn, catalog):
    checked = 0
    for ref in REFS:
        for rest in RESTS:
            tree = with_ref(ref, rest)
            for order in ORDERS:
                want = expected(catalog, ref, rest, order)
                for form in FORMS:
                    got = await every_page(conn, tree, order, form)
                    assert got == want, (ref, rest, order, form)
                checked += bool(want)
    assert checked > len(ORDERS) * len(RESTS)  # most shapes keep some models


async def test_offsets_and_cursors_past_the_models_with_the_metric_agree(conn, catalog):
    rest = named("archived", Op.EQ, False)
    tree = with_ref("dataset-a", rest)
    for order in ORDERS:
        want = expected(catalog, "dataset-a", rest, order)
        assert any(v is None for _, v in want) and any(v is not None for _, v in want)
        for offset in (0, 3, len(want) - 2, len(want) + 1):
            got = await page(conn, tree, order, "walk", offset=offset, count=5)
            assert got == want[offset : offset + 5], (order, offset)
        # A cursor on a model without the metric: only the rest of those follow.
        last = next(i for i, (_, v) in enumerate(want) if v is None)
        after = Position(None, want[last][0])
        assert await page(conn, tree, order, "walk", after=after, count=50) == want[last + 1 :]


def test_only_a_trained_on_leaf_at_the_top_is_walked():
    ds = named("trained_on", Op.EQ, "dataset-a")
    latest = named("latest", Op.EQ, True)
    assert model_lists.trained_on(ds) == ("dataset-a", None)
    assert model_lists.trained_on(And((latest, ds))) == ("dataset-a", latest)
    both = And((ds, latest, named("archived", Op.EQ, False)))
    assert model_lists.trained_on(both) == ("dataset-a", And(both.children[1:]))
    assert model_lists.trained_on(Or((ds, latest))) is None
    assert model_lists.trained_on(Not(ds)) is None
    assert model_lists.trained_on(named("produced_by", Op.EQ, "analysis-a")) is None
    assert model_lists.trained_on(None) is None


BEST = """query($d: ID!, $a: String, $o: MetricOrder!) {
  models(filter: {trainedOn: $d, latestOnly: true, archived: false},
         sort: {metric: {name: "rmse", order: $o}}, limit: 3, after: $a) {
    items { id } nextCursor hasNextPage } }"""


@pytest.mark.parametrize("order", ["BEST", "DESC"])
async def test_graphql_and_rest_page_a_dataset_by_a_metric_through_the_walk(
    conn, pg_dsn, catalog, order
):
    metric = Order(metric="rmse", descending=order == "DESC")
    rest = And((named("latest", Op.EQ, True), named("archived", Op.EQ, False)))
    tree = with_ref("dataset-a-v2", rest)
    want = [i for i, _ in expected(catalog, "dataset-a-v2", rest, metric)]
    assert len(want) > 3
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            seen, after = [], None
            while True:
                api.sql.reset()
                got = await api.data(BEST, {"d": "dataset-a-v2", "a": after, "o": order})
                walked = [s for s in api.sql.statements if "trained_on_metrics" in s]
                assert len(walked) == 1, api.sql.statements
                if fast == "1":
                    assert api.sql.count == 1
                seen += [m["id"] for m in got["models"]["items"]]
                after = got["models"]["nextCursor"]
                if not got["models"]["hasNextPage"]:
                    break
            assert seen == want, fast
            rest = await api.client.get(
                "/api/models",
                params={
                    "filter": render.render(tree),
                    "sort": "metric:rmse",
                    "order": "desc" if order == "DESC" else "asc",
                    "limit": 100,
                },
            )
            assert [m["id"] for m in rest.json()["models"]] == want, rest.json()
