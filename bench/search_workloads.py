"""Issue 16's search questions: (g) the best by a metric among a dataset's models, (h) a cursor
page deep in a metric sort against its first page (h0), (i) a mixed OR.

Ours asks through GraphQL; the floor (bench/floor_search.py) answers the same question in one
statement. PostGraphile v4 with simple collections has equality conditions on columns only:
no OR, no condition through links or tags, no order by a value inside JSON, so it asks none
of them. The cursor of (h) is ours: it is found by walking ours' pages up to the depth
(``walk_cursor``) once the servers are up, and the floor gets the same position as a value
and an id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg

from bench.workloads import Request, Workload

PAGE = 20
DEEP = 2000  # (h): items before the deep page, at most half the list on a small catalog
WALK_PAGE = 100  # the largest page a list gives, for walking to the deep cursor
METRIC = "rmse"
# (g): the dataset's share of the models; (i): the share of the catalog the OR keeps.
DATASET_SHARE = 0.01
OR_SHARE = (0.05, 0.20)
OR_AIM = 0.10
NO_POSTGRAPHILE = {
    "postgraphile": "its simple collections filter by column equality only (no OR, no "
    "condition through links or tags, no order by a metric inside JSON)"
}

ITEM = "id title family qualityScore evaluationMetricsJson"

BEST_TRAINED_ON = f"""query Best($dataset: ID!, $metric: String!) {{
  models(filter: {{trainedOn: $dataset, latestOnly: true, provenanceComplete: true}},
         sort: {{metric: {{name: $metric, order: BEST}}}}, limit: {PAGE}) {{
    items {{ {ITEM} }} hasNextPage }} }}"""

METRIC_PAGE = f"""query Page($metric: String!, $limit: Int!, $after: String) {{
  models(sort: {{metric: {{name: $metric, order: BEST}}}}, limit: $limit, after: $after) {{
    items {{ {ITEM} }} hasNextPage nextCursor }} }}"""

MIXED_OR = f"""query Mixed($a: ModelFamily!, $metric: String!, $below: Float!,
                  $b: ModelFamily!, $key: String!, $value: String!) {{
  models(filter: {{or: [{{family: $a, metric: {{name: $metric, lt: $below}}}},
                        {{family: $b, tag: {{key: $key, value: $value}}}}]}},
         sort: {{field: QUALITY_SCORE, direction: DESC}}, limit: {PAGE}) {{
    items {{ {ITEM} }} hasNextPage }} }}"""


@dataclass(frozen=True)
class SearchParams:
    """What (g), (h) and (i) ask at one catalog size."""

    dataset: str  # (g): a dataset lineage about DATASET_SHARE of the models are trained on
    dataset_models: int
    dataset_kept: int  # of those, the latest with complete provenance
    dataset_ranked: int  # of those, the ones with the metric
    depth: int  # (h): items before the deep page
    after_value: float
    after_id: str
    metric_models: int
    family_a: str  # (i): (family_a and metric < below) or (family_b and tag_key = tag_value)
    below: float
    family_b: str
    tag_key: str
    tag_value: str
    or_share: float


async def pick(conn: asyncpg.Connection) -> SearchParams:
    """Deterministic choices from the generated data, checked against the issue's shapes."""
    models = await conn.fetchval("select count(*) from artifacts where kind = 'model'")
    declared = await conn.fetchval(
        "select direction from metric_declarations where name = $1", METRIC
    )
    assert declared in (None, "lower"), f"the floor sorts {METRIC} ascending, declared {declared}"
    g: asyncpg.Record | None = await conn.fetchrow(
        """
        with kept as (
            select l.target_lineage_id as id, a.is_latest and a.archived_at is null
                       and jsonb_array_length(a.provenance_warnings) = 0 as kept,
                   exists (select 1 from model_metrics s
                           where s.artifact_id = a.id and s.name = $2) as ranked
            from links l join artifacts a on a.id = l.source_id
            where l.type = 'trained_on')
        select id, count(*) as n, count(*) filter (where kept) as kept,
               count(*) filter (where kept and ranked) as ranked
        from kept group by 1
        order by abs(count(*) - $1::float8), ranked desc, kept desc, 1 limit 1
        """,
        DATASET_SHARE * models,
        METRIC,
    )
    assert g is not None, "the catalog has no trained_on link"
    with_metric = await conn.fetchval("select count(*) from model_metrics where name = $1", METRIC)
    depth = min(DEEP, with_metric // 2 // PAGE * PAGE)
    assert depth >= PAGE and with_metric >= depth + PAGE + 1, f"too few models with {METRIC}"
    last: asyncpg.Record | None = await conn.fetchrow(
        "select value, artifact_id from model_metrics where name = $1"
        " order by value, artifact_id offset $2 limit 1",
        METRIC,
        depth - 1,
    )
    assert last is not None
    family_a = await conn.fetchval(
        "select a.family from model_metrics s join artifacts a on a.id = s.artifact_id"
        " where s.name = $1 group by 1 order by count(*) desc, 1 limit 1",
        METRIC,
    )
    family_b = await conn.fetchval(
        "select family from artifacts where kind = 'model' and family <> $1"
        " group by 1 order by count(*) desc, 1 limit 1",
        family_a,
    )
    assert family_b != family_a, "(i) needs two families"
    tag: asyncpg.Record | None = await conn.fetchrow(
        "select t.key, t.value from tags t join artifacts a on a.id = t.artifact_id"
        " where a.family = $1 and t.key = 'team' group by 1, 2 order by count(*) desc, 2 limit 1",
        family_b,
    )
    assert tag is not None, "the catalog has no team tags"
    # The threshold whose OR keeps closest to OR_AIM of the models.
    share: asyncpg.Record | None = await conn.fetchrow(
        """
        select t.below, count(*)::float8 / $5 as share
        from (select n / 100.0::float8 from generate_series(10, 90, 5) n) t(below), artifacts a
        where a.kind = 'model'
          and ((a.family = $1 and exists (select 1 from model_metrics mm
                    where mm.artifact_id = a.id and mm.name = $2 and mm.value < t.below))
            or (a.family = $3 and exists (select 1 from tags g
                    where g.artifact_id = a.id and g.key = $4 and g.value = $6)))
        group by 1 order by abs(count(*)::float8 / $5 - $7), 1 limit 1
        """,
        family_a,
        METRIC,
        family_b,
        tag["key"],
        models,
        tag["value"],
        OR_AIM,
    )
    assert share is not None
    assert OR_SHARE[0] <= share["share"] <= OR_SHARE[1], f"(i) keeps {share['share']:.1%}"
    return SearchParams(
        dataset=g["id"],
        dataset_models=g["n"],
        dataset_kept=g["kept"],
        dataset_ranked=g["ranked"],
        depth=depth,
        after_value=last["value"],
        after_id=last["artifact_id"],
        metric_models=with_metric,
        family_a=family_a,
        below=float(share["below"]),
        family_b=family_b,
        tag_key=tag["key"],
        tag_value=tag["value"],
        or_share=share["share"],
    )


def _gql(query: str, **variables: Any) -> Request:
    return Request("POST", "/graphql", {"query": " ".join(query.split()), "variables": variables})


def _get(path: str, **params: Any) -> Request:
    return Request("GET", f"{path}?{urlencode(params)}")


def _models(r: Any) -> Any:
    if r.get("errors"):
        raise ValueError(f"GraphQL errors: {r['errors']}")
    return r["data"]["models"]


def _models_without_cursor(r: Any) -> Any:
    """The page without ``nextCursor``: an opaque cursor of ours the floor has no equal of;
    that it leads on is tested, and (h) asks the page it names."""
    return {k: v for k, v in _models(r).items() if k != "nextCursor"}


def metric_page(after: str | None, limit: int = PAGE) -> Request:
    """Ours' page of every model by the metric, after ``after``."""
    return _gql(METRIC_PAGE, metric=METRIC, limit=limit, after=after)


async def walk_cursor(ask: Callable[[Request], Awaitable[Any]], depth: int) -> str:
    """The cursor after the first ``depth`` items of (h)'s list, from ours' own pages."""
    after: str | None = None
    seen = 0
    while seen < depth:
        page = _models(await ask(metric_page(after, min(WALK_PAGE, depth - seen))))
        seen += len(page["items"])
        after = page["nextCursor"]
        assert after is not None, f"(h): the list ends after {seen} items"
    assert after is not None
    return after


def workloads(s: SearchParams) -> list[Workload]:
    floor = {"floor": _models}
    return [
        Workload(
            "g",
            f"best {PAGE} by {METRIC}, latest, trained on a dataset of 1% of models, "
            "complete provenance",
            {
                "ours": _gql(BEST_TRAINED_ON, dataset=s.dataset, metric=METRIC),
                "floor": _get("/g", dataset=s.dataset, metric=METRIC, limit=PAGE),
            },
            {"ours": _models, **floor},
            not_equivalent=dict(NO_POSTGRAPHILE),
        ),
        Workload(
            "h",
            f"cursor page {DEEP:,} items deep (at most half the list), every model by {METRIC}",
            # Ours' request is made by walk_cursor once the server is up (bench/run.py).
            {
                "floor": _get(
                    "/h", metric=METRIC, limit=PAGE, after_value=s.after_value, after_id=s.after_id
                ),
            },
            {"ours": _models_without_cursor, **floor},
            not_equivalent=dict(NO_POSTGRAPHILE),
            deep=s.depth,
        ),
        Workload(
            "h0",
            f"the first page of (h), every model by {METRIC}",
            {"ours": metric_page(None), "floor": _get("/h", metric=METRIC, limit=PAGE)},
            {"ours": _models_without_cursor, **floor},
            not_equivalent=dict(NO_POSTGRAPHILE),
        ),
        Workload(
            "i",
            f"(family A and {METRIC} < t) or (family B and tag), "
            f"{OR_SHARE[0]:.0%}-{OR_SHARE[1]:.0%} of models, quality desc",
            {
                "ours": _gql(
                    MIXED_OR,
                    a=s.family_a.upper(),
                    metric=METRIC,
                    below=s.below,
                    b=s.family_b.upper(),
                    key=s.tag_key,
                    value=s.tag_value,
                ),
                "floor": _get(
                    "/i",
                    limit=PAGE,
                    family_a=s.family_a,
                    metric=METRIC,
                    below=s.below,
                    family_b=s.family_b,
                    tag_key=s.tag_key,
                    tag_value=s.tag_value,
                ),
            },
            {"ours": _models, **floor},
            not_equivalent=dict(NO_POSTGRAPHILE),
        ),
    ]


def describe(s: SearchParams) -> str:
    """The parameters, for the report's notes."""
    return (
        f"(g) dataset {s.dataset}: {s.dataset_models} models trained on it, "
        f"{s.dataset_kept} latest with complete provenance, {s.dataset_ranked} of them with "
        f"{METRIC}; (h) {s.depth} items deep of "
        f"{s.metric_models} with {METRIC}, after {s.after_id}; (i) ({s.family_a} and {METRIC} "
        f"< {s.below:g}) or ({s.family_b} and tags.{s.tag_key} = '{s.tag_value}'), "
        f"{s.or_share:.1%} of models"
    )
