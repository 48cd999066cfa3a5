"""compareModels' models and metric rows, compiled: app.comparison.metric_rows in SQL.

Other parts of a comparison (diffs, overlap, DAGs) are answered by the resolvers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import FieldNode

from app.repo.compiled import sql
from app.service.compare import MAX_MODELS, MIN_MODELS

if TYPE_CHECKING:
    from app.repo.compiled.query import Compiler

# app.metrics.direction's inference from a metric's name tokens.
INFERRED = (
    "(case when exists (select 1 from regexp_split_to_table(lower({k}), '[_\\-. ]+') as tok(w)"
    " where tok.w in ('rmse', 'mae', 'mse', 'loss', 'aic', 'bic', 'error', 'err', 'nll'))"
    " then 'LOWER' else 'HIGHER' end)"
)


def _distinct(ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i.strip(), None)
    return [i for i in seen if i]


def compare_statement(c: Compiler, node: FieldNode) -> str:
    """The comparison's JSON, with a guard: any unknown id or count problem falls back."""
    ids = _distinct([str(i) for i in c.args("Query", node)["ids"]])
    if not MIN_MODELS <= len(ids) <= MAX_MODELS or node.selection_set is None:
        raise sql.Unsupported("count")
    if not all(sql.POSSIBLE_ID.fullmatch(i) for i in ids):
        raise sql.Unsupported("impossible id")
    p = c.param(ids, "text[]")
    matches = (
        f"unnest({p}) with ordinality as r(ref, n) join artifacts a on a.kind = 'model' "
        "and (a.id = r.ref or (a.lineage_id = r.ref and a.is_latest))"
    )
    found = f"select distinct on (a.id) a.*, r.n from {matches} order by a.id, r.n"
    # Every id names a model, and 2..10 distinct versions remain; else the resolvers answer.
    c.guards.append(
        f"(select count(distinct r.n) = {len(ids)} and count(distinct a.id) "
        f"between {MIN_MODELS} and {MAX_MODELS} from {matches})"
    )
    pairs = []
    for key, child in c.collect(node.selection_set, "ModelComparison"):
        name = child.name.value
        if name == "__typename":
            pairs.append((key, "'ModelComparison'"))
        elif name == "models" and child.selection_set:
            body = c.object("m", child.selection_set, ("Model",))
            pairs.append((key, f"(select json_agg({body} order by m.pos) from m)"))
        elif name == "metrics" and child.selection_set:
            pairs.append((key, _metrics(c, child)))
        else:
            raise sql.Unsupported(name)
    declared = (
        "(select upper(m.metric_directions ->> nm.name) from m "
        "where m.metric_directions ? nm.name order by m.pos desc limit 1)"
    )
    return (
        f"(with m as (select f.*, row_number() over (order by f.n) as pos from ({found}) f), "
        "names as (select distinct e.key as name from m, jsonb_each(m.evaluation_metrics) e), "
        # Materialised: once per metric name, not once per cell (which doubles the cost).
        "dir as materialized (select nm.name, "
        f"coalesce({declared}, {INFERRED.format(k='nm.name')}) as better from names nm), "
        "cell as (select d.name, d.better, m.pos, m.id, "
        "(m.evaluation_metrics -> d.name)::float8 as value from dir d cross join m), "
        "agg as (select c.*, case when c.better = 'LOWER' then min(c.value) over w "
        "else max(c.value) over w end as target, "
        "first_value(c.value) over (w order by c.pos) as base from cell c "
        "window w as (partition by c.name)) "
        f"select {c.build(pairs)})"
    )


def _metrics(c: Compiler, node: FieldNode) -> str:
    assert node.selection_set is not None
    row_pairs = []
    cells = "null"
    for key, child in c.collect(node.selection_set, "MetricComparison"):
        name = child.name.value
        if name == "__typename":
            row_pairs.append((key, "'MetricComparison'"))
        elif name == "name":
            row_pairs.append((key, "x.name"))
        elif name == "better":
            row_pairs.append((key, "x.better"))
        elif name == "bestModelIds":
            row_pairs.append((key, "coalesce(x.best, '[]'::json)"))
        elif name == "cells" and child.selection_set:
            row_pairs.append((key, "x.cells"))
            cell_pairs = []
            for ckey, cchild in c.collect(child.selection_set, "MetricCell"):
                field = {
                    "__typename": "'MetricCell'",
                    "modelId": "g.id",
                    "value": "g.value",
                    "delta": "g.value - g.base",
                    "best": "(g.value is not null and g.value = g.target)",
                }.get(cchild.name.value)
                if field is None:
                    raise sql.Unsupported(cchild.name.value)
                cell_pairs.append((ckey, field))
            cells = f"json_agg({c.build(cell_pairs)} order by g.pos)"
        else:
            raise sql.Unsupported(name)
    best = "json_agg(g.id order by g.pos) filter (where g.value is not null and g.value = g.target)"
    return (
        f'(select coalesce(json_agg({c.build(row_pairs)} order by x.name collate "C"), '
        f"'[]'::json) from (select g.name, g.better, {cells} as cells, {best} as best "
        "from agg g group by g.name, g.better) x)"
    )
