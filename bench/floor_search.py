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
- (i) the mixed OR as a union of its two branches, each walking its family's quality index
  downward and probing each model's metric or tag: a page reads a couple of hundred index
  entries at any catalog size.

The items have the fields the registry's GraphQL answers give (bench/search_workloads.py),
and ``hasNextPage``; the registry's opaque cursors are left out of the comparison. Pages hold
PAGE items, written into the statements as a hand-tuned statement would have them: planned
once without its values (generic plans), a bound LIMIT is planned for a tenth of the rows.
"""

from __future__ import annotations

_ITEM = """json_build_object('id', m.id, 'title', m.title, 'family', upper(m.family),
    'qualityScore', m.quality_score, 'evaluationMetricsJson', m.evaluation_metrics)"""


PAGE = 20


def _page(rows: str, order: str) -> str:
    """The page object of ``rows`` (at most PAGE + 1 of them), in ``order``."""
    return f"""
with fetched as materialized ({rows.format(fetch=PAGE + 1)})
select json_build_object('data', json_build_object('models', json_build_object(
    'items', coalesce((select json_agg({_ITEM} order by {order})
        from (select * from fetched m order by {order} limit {PAGE}) m), '[]'),
    'hasNextPage', (select count(*) from fetched) > {PAGE})))::text
"""


# $1 dataset lineage, $2 metric name.
BEST_TRAINED_ON_SQL = _page(
    """select a.*, s.value as sort_key
    from links l
    join artifacts a on a.id = l.source_id
    left join model_metrics s on s.artifact_id = a.id and s.name = $2
    where l.target_lineage_id = $1 and l.type = 'trained_on'
      and a.kind = 'model' and a.is_latest and a.archived_at is null
      and jsonb_array_length(a.provenance_warnings) = 0
    order by s.value asc nulls last, a.id asc
    limit {fetch}""",
    "m.sort_key asc nulls last, m.id asc",
)

_BY_METRIC = """select a.*, s.value as sort_key
    from model_metrics s join artifacts a on a.id = s.artifact_id
    where s.name = $1{after}
    order by s.value asc, s.artifact_id asc
    limit {{fetch}}"""

# $1 metric name; the page after ($2 value, $3 id). Both assume the models with the metric
# fill the page, as the benchmark's parameters make sure.
METRIC_FIRST_PAGE_SQL = _page(_BY_METRIC.format(after=""), "m.sort_key asc, m.id asc")
METRIC_PAGE_AFTER_SQL = _page(
    _BY_METRIC.format(after=" and (s.value, s.artifact_id) > ($2, $3)"),
    "m.sort_key asc, m.id asc",
)

# (family $1 and metric $2 < $3) or (family $4 and tag $5 = $6), quality desc: the two
# branches of the OR each walk their family's quality index, and the pages merge. The families
# differ (the parameters make sure), so no model is in both.
_BRANCH = """(select a.*, a.quality_score as sort_key
    from artifacts a
    where a.kind = 'model' and a.family = ${family} and exists ({test})
    order by a.quality_score desc, a.id desc
    limit {{fetch}})"""
MIXED_OR_SQL = _page(
    "select * from ("
    + _BRANCH.format(
        family=1,
        test="select 1 from model_metrics mm where mm.artifact_id = a.id and mm.name = $2 "
        "and mm.value < $3",
    )
    + " union all "
    + _BRANCH.format(
        family=4,
        test="select 1 from tags t where t.artifact_id = a.id and t.key = $5 and t.value = $6",
    )
    + ") m order by m.quality_score desc, m.id desc limit {fetch}",
    "m.quality_score desc, m.id desc",
)
