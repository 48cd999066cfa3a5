"""The floor: each benchmark question answered by one SQL statement that builds the JSON.

Starlette + asyncpg, served by uvicorn with the access log off, like the registry, with the
same generic tuning (uvloop and httptools when installed, no pool reset statements, the
cyclic collector frozen). Each answer has exactly the shape the registry's GraphQL (or REST)
answer has, so the benchmark compares them without an adapter. Semantics mirror the app: a
link reaches the version it pins, or the latest version of its lineage when it floats.

    BENCH_DSN=postgresql://... uvicorn bench.floor:app --no-access-log
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import floor_search

# The version a link (alias l) reaches, as artifact alias {t}.
_REACH = """{t}.lineage_id = {l}.target_lineage_id
    and ({t}.id = {l}.target_version_id or ({l}.target_version_id is null and {t}.is_latest))"""


def reach(t: str, link: str = "l") -> str:
    return _REACH.format(t=t, l=link)


def _targets(link_type: str, fields: str, source: str = "m") -> str:
    """A JSON array of what the links of one type leaving ``source`` reach, in the app's
    order (by target lineage)."""
    return f"""coalesce((select json_agg({fields} order by l.target_lineage_id)
        from links l join artifacts t on {reach("t")}
        where l.source_id = {source}.id and l.type = '{link_type}'), '[]')"""


_TOP_MODELS = """select * from artifacts a where a.kind = 'model' and a.family = $1
    order by a.quality_score desc, a.id desc limit $2"""

LIST_SQL = f"""
select json_build_object('data', json_build_object('models', json_build_object('items',
    coalesce(json_agg(json_build_object(
        'id', m.id, 'title', m.title, 'family', upper(m.family), 'qualityScore', m.quality_score,
        'parameterCount', m.parameter_count, 'createdAt', m.created_at)
    order by m.quality_score desc, m.id desc), '[]'))))::text
from ({_TOP_MODELS}) m
"""

_VERSIONS = """(select json_agg(json_build_object('id', v.id, 'versionNumber', v.version_number)
    order by v.version_number) from artifacts v where v.lineage_id = t.lineage_id)"""

_INPUTS = f"""coalesce((select json_agg(json_build_object(
        'pinned', u.target_version_id is not null,
        'pinnedVersion', case when u.target_version_id is not null then i.version_number end,
        'artifact', json_build_object('id', i.id, 'kind', upper(i.kind)))
    order by u.target_lineage_id)
    from links u join artifacts i on {reach("i", "u")}
    where u.source_id = t.id and u.type = 'uses'), '[]')"""

_TESTED_BY = """coalesce((select json_agg(json_build_object('id', s.id, 'title', s.title)
        order by s.id)
    from links r join artifacts s on s.id = r.source_id
    where r.type = 'tests_hypothesis' and r.target_lineage_id = t.lineage_id
      and (r.target_version_id = t.id or (r.target_version_id is null and t.is_latest))), '[]')"""

NESTED_SQL = f"""
select json_build_object('data', json_build_object('models', json_build_object('items',
    coalesce(json_agg(json_build_object(
        'id', m.id, 'title', m.title, 'qualityScore', m.quality_score,
        'trainedOn', {_targets("trained_on", f"json_build_object('id', t.id, 'title', t.title, 'versions', {_VERSIONS})")},
        'producedBy', (select json_build_object('id', t.id, 'title', t.title, 'inputs', {_INPUTS})
            from links l join artifacts t on {reach("t")}
            where l.source_id = m.id and l.type = 'produced_by'),
        'testsHypotheses', {_targets("tests_hypothesis", f"json_build_object('id', t.id, 'title', t.title, 'testedBy', {_TESTED_BY})")})
    order by m.quality_score desc, m.id desc), '[]'))))::text
from ({_TOP_MODELS}) m
"""  # noqa: E501

_ID_TITLE = "json_build_object('id', t.id, 'title', t.title)"

DETAIL_SQL = f"""
select json_build_object('data', json_build_object('model', (select json_build_object(
    'id', m.id, 'lineageId', m.lineage_id, 'versionNumber', m.version_number,
    'isLatest', m.is_latest, 'title', m.title, 'description', m.description,
    'createdAt', m.created_at, 'metadata', m.metadata, 'family', upper(m.family),
    'architecture', m.architecture, 'parameterCount', m.parameter_count,
    'trainingConfig', m.training_config, 'qualityScore', m.quality_score,
    'rawQualityScore', m.raw_quality_score, 'evaluationMetricsJson', m.evaluation_metrics,
    'provenance', json_build_object(
        'complete', jsonb_array_length(m.provenance_warnings) = 0,
        'warnings', m.provenance_warnings),
    'trainedOn', {_targets("trained_on", _ID_TITLE)},
    'producedBy', (select {_ID_TITLE} from links l join artifacts t on {reach("t")}
        where l.source_id = m.id and l.type = 'produced_by'),
    'testsHypotheses', {_targets("tests_hypothesis", _ID_TITLE)},
    'derivedFrom', {_targets("derived_from", _ID_TITLE)},
    'versions', (select json_agg(json_build_object('id', v.id, 'versionNumber', v.version_number)
        order by v.version_number) from artifacts v where v.lineage_id = m.lineage_id))
    from artifacts m
    where (m.id = $1 or (m.lineage_id = $1 and m.is_latest)) and m.kind = 'model')))::text
"""

# The comparison, as far as this benchmark asks for it: models in the order given
# (duplicates collapsed), one row per metric name (sorted), the best model(s) per row in
# the metric's direction (the registry's declaration of the name, else inferred from the
# name like app/metric_directions.py) when at least two models report it, and each
# value's difference from the first model's, in decimal. The benchmark's catalogs register
# no uncertainty, so no interval can make a best value "within uncertainty" here.
COMPARE_SQL = r"""
with refs as (select ref, ord from unnest($1::text[]) with ordinality as r(ref, ord)),
found as (
    select distinct on (a.id) a.id, a.quality_score, a.evaluation_metrics, refs.ord
    from refs join artifacts a on (a.id = refs.ref or (a.lineage_id = refs.ref and a.is_latest))
    where a.kind = 'model' order by a.id, refs.ord),
ms as (select *, row_number() over (order by ord) as pos from found),
names as (select distinct k as name from ms, jsonb_object_keys(ms.evaluation_metrics) k),
dirs as (
    select n.name, coalesce(
        (select d.direction from metric_declarations d where d.name = n.name),
        case when exists (
            select 1 from regexp_split_to_table(lower(n.name), '[_\-. ]+') tok
            where tok in ('rmse', 'mae', 'mse', 'loss', 'aic', 'bic', 'error', 'err', 'nll'))
        then 'lower' else 'higher' end) as better
    from names n),
cells as (
    select d.name, d.better, ms.id, ms.pos, (ms.evaluation_metrics ->> d.name)::float8 as value,
           (ms.evaluation_metrics ->> d.name)::numeric as exact
    from dirs d cross join ms),
rows as (
    select c.*, first_value(c.exact) over (partition by c.name order by c.pos) as base,
           count(c.value) over (partition by c.name) as reported,
           case when c.better = 'lower' then min(c.value) over (partition by c.name)
                else max(c.value) over (partition by c.name) end as best_value
    from cells c)
select json_build_object('data', json_build_object('compareModels', json_build_object(
    'models', (select json_agg(json_build_object('id', id, 'qualityScore', quality_score)
        order by pos) from ms),
    'metrics', (select json_agg(json_build_object(
            'name', d.name, 'better', upper(d.better),
            'bestModelIds', (select coalesce(json_agg(r.id order by r.pos), '[]') from rows r
                where r.name = d.name and r.value = r.best_value and r.reported > 1),
            'cells', (select json_agg(json_build_object(
                    'modelId', r.id, 'value', r.value, 'delta', (r.exact - r.base)::float8,
                    'best', coalesce(r.value = r.best_value and r.reported > 1, false))
                order by r.pos) from rows r where r.name = d.name))
        order by d.name) from dirs d))))::text
"""

# app/http/rest_json.py's model_summary: the spec's keys (trained_on is the first dataset), then
# its extras.
REST_SQL = f"""
select json_build_object(
    'models', coalesce(json_agg(json_build_object(
        'id', m.id, 'title', m.title, 'model_family', m.family,
        'version_number', m.version_number, 'is_latest', m.is_latest,
        'quality_score', m.quality_score, 'evaluation_metrics', m.evaluation_metrics,
        'trained_on', m.trained_on_all -> 0,
        'produced_by', (select t.id from links l join artifacts t on {reach("t")}
            where l.source_id = m.id and l.type = 'produced_by'),
        'created_at', m.created_at,
        'lineage_id', m.lineage_id, 'trained_on_all', m.trained_on_all,
        'tests_hypotheses', {_targets("tests_hypothesis", "t.id")},
        'raw_quality_score', m.raw_quality_score,
        'quality_warning', jsonb_array_length(m.provenance_warnings) > 0,
        'warnings', m.provenance_warnings,
        'architecture', m.architecture, 'parameter_count', m.parameter_count,
        'uri', m.uri, 'digest', m.digest, 'size_bytes', m.size_bytes,
        'archived', m.archived_at is not null, 'archived_at', m.archived_at,
        'archived_reason', m.archived_reason,
        'tags', (select coalesce(json_agg(json_build_object('key', t.key, 'value', t.value)
            order by t.key collate "C"), '[]') from tags t where t.artifact_id = m.id),
        'aliases', (select coalesce(json_agg(al.alias order by al.alias collate "C"), '[]')
            from aliases al where al.version_id = m.id))
    order by m.quality_score desc, m.id desc), '[]'),
    'total', (select count(*) from artifacts a where a.kind = 'model' and a.family = $1))::text
from (select top.*, {_targets("trained_on", "t.id", "top")} as trained_on_all
      from ({_TOP_MODELS}) top) m
"""


# The app's DOWNSTREAM walk (app/repo/lineage.py) with its cut (app/service/lineage.py)
# done in SQL: distances, the `limit` nearest nodes by (distance, id), edges among them.
LINEAGE_SQL = """
with recursive walk(source_id, target_id, type, pinned, depth) as (
    select l.source_id, t.id, l.type, l.target_version_id is not null, 1
    from artifacts t
    join links l on l.target_lineage_id = t.lineage_id
        and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
    where t.id = $1
  union
    select l.source_id, t.id, l.type, l.target_version_id is not null, w.depth + 1
    from walk w
    join artifacts t on t.id = w.source_id
    join links l on l.target_lineage_id = t.lineage_id
        and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
    where w.depth <= $2
),
edges as (
    select distinct on (source_id, target_id, type) source_id, target_id, type, pinned, depth
    from walk order by source_id, target_id, type, depth),
dist as (
    select $1::text as id, 0 as d
    union all
    select source_id, min(depth) from edges where source_id <> $1 group by source_id),
within as (select id, d from dist where d <= $2),
kept as (select id, d from within order by d, id collate "C" limit $3),
start as (select * from artifacts where id = $1)
select json_build_object('data', json_build_object('lineage', json_build_object(
    'root', (select json_build_object('id', s.id, 'kind', upper(s.kind)) from start s),
    'nodes', (select json_agg(json_build_object(
            'distance', k.d,
            'artifact', json_build_object('id', a.id, 'kind', upper(a.kind), 'title', a.title))
        order by k.d, k.id collate "C")
        from kept k join artifacts a on a.id = k.id),
    'edges', coalesce((select json_agg(json_build_object(
            'sourceId', e.source_id, 'targetId', e.target_id, 'type', upper(e.type),
            'pinned', e.pinned,
            'pinnedVersion', case when e.pinned
                then substring(e.target_id from '-v([0-9]+)$')::int end)
        order by e.depth, e.source_id collate "C", e.target_id collate "C")
        from edges e
        where e.depth <= $2 and e.source_id in (select id from kept)
          and e.target_id in (select id from kept)), '[]'),
    'truncated', exists (select 1 from dist where d > $2)
        or (select count(*) from within) > $3)))::text
from start
"""


class _Connection(asyncpg.Connection):
    """Released to the pool without asyncpg's reset statements: the floor keeps no session
    state (the registry's pool does the same)."""

    def get_reset_query(self) -> str:
        return ""


def _json(text: str | None) -> Response:
    if text is None:
        return JSONResponse({"data": None})
    return Response(text, media_type="application/json")


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


async def models_list(request: Request) -> Response:
    q = request.query_params
    return _json(await _pool(request).fetchval(LIST_SQL, q["family"], int(q.get("limit", 20))))


async def nested(request: Request) -> Response:
    q = request.query_params
    return _json(await _pool(request).fetchval(NESTED_SQL, q["family"], int(q.get("limit", 20))))


async def detail(request: Request) -> Response:
    return _json(await _pool(request).fetchval(DETAIL_SQL, request.query_params["id"]))


async def compare(request: Request) -> Response:
    ids = request.query_params["ids"].split(",")
    return _json(await _pool(request).fetchval(COMPARE_SQL, ids))


async def rest_models(request: Request) -> Response:
    q = request.query_params
    if q.get("sort", "quality_score") != "quality_score":
        return JSONResponse({"error": "the floor sorts by quality_score only"}, status_code=400)
    return _json(await _pool(request).fetchval(REST_SQL, q["family"], int(q.get("limit", 20))))


async def lineage(request: Request) -> Response:
    q = request.query_params
    args = (q["id"], int(q.get("max_depth", 5)), int(q.get("limit", 500)))
    pool: asyncpg.Pool = request.state.walk_pool
    return _json(await pool.fetchval(LINEAGE_SQL, *args))


def _search_page(request: Request) -> Response | None:
    """Refuse a page size other than the one the search statements are written for."""
    if int(request.query_params.get("limit", floor_search.PAGE)) != floor_search.PAGE:
        return JSONResponse({"error": f"pages of {floor_search.PAGE} only"}, status_code=400)
    return None


async def best_trained_on(request: Request) -> Response:
    q = request.query_params
    args = (q["dataset"], q["metric"])
    sql = floor_search.BEST_TRAINED_ON_SQL
    return _search_page(request) or _json(await _pool(request).fetchval(sql, *args))


async def metric_page(request: Request) -> Response:
    q = request.query_params
    args: tuple[object, ...] = (q["metric"],)
    sql = floor_search.METRIC_FIRST_PAGE_SQL
    if "after_id" in q:
        args += (float(q["after_value"]), q["after_id"])
        sql = floor_search.METRIC_PAGE_AFTER_SQL
    return _search_page(request) or _json(await _pool(request).fetchval(sql, *args))


async def mixed_or(request: Request) -> Response:
    q = request.query_params
    args = (q["family_a"], q["metric"], float(q["below"]))
    tagged = (q["family_b"], q["tag_key"], q["tag_value"])
    sql = floor_search.MIXED_OR_SQL
    return _search_page(request) or _json(await _pool(request).fetchval(sql, *args, *tagged))


async def healthz(request: Request) -> Response:
    return Response("ok")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, asyncpg.Pool]]:
    # The registry's pool size (DB_POOL_MAX default), no JSON codecs: the database's JSON
    # text goes out as it is. Each statement is prepared once per connection. Most are
    # planned once (generic plans), which saves the planner's time, several times the
    # execution here; the lineage walk is planned for its start (custom plans), which is
    # faster for it. One workload runs at a time, so at most one pool is busy.
    dsn = os.environ["BENCH_DSN"]
    pools = {}
    for name, mode in (("pool", "force_generic_plan"), ("walk_pool", "force_custom_plan")):
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=10,
            connection_class=_Connection,
            server_settings={"plan_cache_mode": mode},
        )
        assert pool is not None
        pools[name] = pool
    try:
        yield pools
    finally:
        for pool in pools.values():
            await pool.close()


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/a", models_list),
        Route("/b", nested),
        Route("/c", detail),
        Route("/d", compare),
        Route("/api/models", rest_models),
        Route("/f", lineage),
        Route("/g", best_trained_on),
        Route("/h", metric_page),
        Route("/i", mixed_or),
    ],
    lifespan=lifespan,
)
# As app/server.py does: no rescans of long-lived objects, the collector off the hot path.
gc.freeze()
gc.set_threshold(50_000, 20, 20)
