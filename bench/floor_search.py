"""The floor's search questions (g), (h), (i): one hand-tuned statement each, JSON by PostgreSQL.

Each walks the index that answers it, as a person who knows the data would write it:

- (g) the few models trained on one dataset lineage come from the links' lineage index, are
  filtered (latest, not archived, no provenance warning) and sorted by rmse, ascending (rmse
  is lower-better and the benchmark declares no other direction for it), models without
  rmse last by id;
- (h) a page of every model by rmse walks the metric's (name, value, artifact_id) index from
  the cursor's position on, the first page from its start: two statements, so that neither
  carries an "is there a cursor" test that would keep the index from being entered at the
  position;
- (i) the mixed OR walks the quality index downward and tests each model with the two
  branches, each an index probe: about one model in ten passes, so a page reads a couple of
  hundred rows at any catalog size.

The items have the fields the registry's GraphQL answers give (bench/search_workloads.py),
and ``hasNextPage``; the registry's opaque cursors are left out of the comparison.
"""

from __future__ import annotations

_ITEM = """json_build_object('id', m.id, 'title', m.title, 'family', upper(m.family),
    'qualityScore', m.quality_score, 'evaluationMetricsJson', m.evaluation_metrics)"""


def _page(rows: str, order: str) -> str:
    """The page object of ``rows`` (at most limit + 1 of them, limit in $1), in ``order``."""
    return f"""
with fetched as materialized ({rows})
select json_build_object('data', json_build_object('models', json_build_object(
    'items', coalesce((select json_agg({_ITEM} order by {order})
        from (select * from fetched m order by {order} limit $1) m), '[]'),
    'hasNextPage', (select count(*) from fetched) > $1)))::text
"""


# $1 limit, $2 dataset lineage, $3 metric name.
BEST_TRAINED_ON_SQL = _page(
    """select a.*, s.value as sort_key
    from links l
    join artifacts a on a.id = l.source_id
    left join model_metrics s on s.artifact_id = a.id and s.name = $3
    where l.target_lineage_id = $2 and l.type = 'trained_on'
      and a.kind = 'model' and a.is_latest and a.archived_at is null
      and jsonb_array_length(a.provenance_warnings) = 0
    order by s.value asc nulls last, a.id asc
    limit $1 + 1""",
    "m.sort_key asc nulls last, m.id asc",
)

_BY_METRIC = """select a.*, s.value as sort_key
    from model_metrics s join artifacts a on a.id = s.artifact_id
    where s.name = $2{after}
    order by s.value asc, s.artifact_id asc
    limit $1 + 1"""

# $1 limit, $2 metric name; the page after ($3 value, $4 id). Both assume the models with the
# metric fill the page, as the benchmark's parameters make sure.
METRIC_FIRST_PAGE_SQL = _page(_BY_METRIC.format(after=""), "m.sort_key asc, m.id asc")
METRIC_PAGE_AFTER_SQL = _page(
    _BY_METRIC.format(after=" and (s.value, s.artifact_id) > ($3, $4)"),
    "m.sort_key asc, m.id asc",
)

# $1 limit; (family $2 and metric $3 < $4) or (family $5 and tag $6 = $7); quality desc.
MIXED_OR_SQL = _page(
    """select a.*, a.quality_score as sort_key
    from artifacts a
    where a.kind = 'model'
      and ((a.family = $2 and exists (select 1 from model_metrics mm
                where mm.artifact_id = a.id and mm.name = $3 and mm.value < $4))
        or (a.family = $5 and exists (select 1 from tags t
                where t.artifact_id = a.id and t.key = $6 and t.value = $7)))
    order by a.quality_score desc, a.id desc
    limit $1 + 1""",
    "m.quality_score desc, m.id desc",
)
