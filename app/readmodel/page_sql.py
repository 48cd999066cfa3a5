"""One page of a model list as SQL: its order (a column or a metric), where a cursor resumes
it, and the rows; the resolvers' statement and the compiled statement both write it here.

A page is read by keyset: a cursor names the sort value and id of the last item seen, and
the next page starts strictly after it, so a deep page costs what the first does and rows
inserted meanwhile neither repeat nor hide items. Ties break by id, in the sort's direction.
Models without the metric sorted by come after every model with it, by id.

A metric sort of the models trained on one dataset walks trained_on_metrics (migration
0014) instead: the dataset's links beside their models' metric values, in value order, so a
page reads about as many rows as it keeps, whatever the number of models trained on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import ids
from app.domain import Artifact
from app.readmodel import filters
from app.readmodel.tree_sql import TypedBind
from app.repo import refs as refs_sql
from app.search.cursor import Position, SortValue

# The SQL type of each sort column's values, for binding a cursor's value.
SQL_TYPES = {"quality_score": "float8", "created_at": "timestamptz", "parameter_count": "int8"}


@dataclass(frozen=True)
class Order:
    """A list's order: by an artifacts column (a filters.SORTS key), or by a metric."""

    sort: str = "created_at"
    descending: bool = True
    metric: str | None = None

    @property
    def text(self) -> str:
        """The order as a cursor's fingerprint reads it."""
        key = f"metric:{self.metric}" if self.metric is not None else self.sort
        return f"{key} {'desc' if self.descending else 'asc'}"


@dataclass(frozen=True)
class Walk:
    """A metric sort whose filter keeps only models trained on ``ref``: ``rest`` is the
    filter without that condition, as SQL on the page's artifact rows."""

    ref: str
    rest: str


def sort_value(a: Artifact, order: Order) -> SortValue:
    """The value ``a`` is sorted by (None: it lacks the metric), as a cursor holds it."""
    if order.sort == "created_at" and order.metric is None:
        return a.created_at
    assert a.model is not None
    if order.metric is not None:
        found = a.model.evaluation_metrics.get(order.metric)
        # Every metric value sorts as the float8 model_metrics holds.
        return None if found is None else float(found)
    value: float | int = getattr(a.model, order.sort)
    return value


def outer_order(p: str, order: Order) -> str:
    """ORDER BY terms for rows ``p`` of ``page_rows``."""
    d = "desc" if order.descending else "asc"
    nulls_last = f"({p}.sort_key is null), " if order.metric is not None else ""
    return f"{nulls_last}{p}.sort_key {d}, {p}.id {d}"


def _after(key: str, id_: str, after: Position, descending: bool, bind: TypedBind, t: str) -> str:
    """Rows strictly after ``after`` in (key, id) order."""
    cmp = "<" if descending else ">"
    return f"({key}, {id_}) {cmp} ({bind(after.value, t)}, {bind(after.id, 'text')})"


def page_rows(
    a: str,
    where: str | None,
    order: Order,
    bind: TypedBind,
    *,
    after: Position | None,
    count: int,
    offset: int,
    driven: bool = False,
    walk: Walk | None = None,
) -> str:
    """A SELECT of the page's rows of artifacts (every column, and ``sort_key``), at most
    ``count`` of them after skipping ``offset``, in page order once sorted by
    ``outer_order``. ``where`` is a condition on artifact rows ``a``, None with ``walk``
    (whose ``rest`` is the rest of it: a bound value the statement never mentions has no
    type, and PostgreSQL refuses the statement).

    A metric sort walks the metric's (name, value) index, then the models without the
    metric; with ``walk`` it walks the dataset's range of trained_on_metrics instead;
    ``driven`` says ``where`` picks few models (a dataset, an alias), which are then read
    and sorted instead.
    """
    d = "desc" if order.descending else "asc"
    limit = f"limit {bind(count, 'int8')} offset {bind(offset, 'int8')}"
    if walk is None:
        assert where is not None, "a page has a filter, or a walk that brings it"
        if order.metric is None:
            return _by_column(a, where, order, bind, after, limit)
        if driven:
            return _driven(a, where, order, bind(order.metric, "text"), bind, after, limit)
    assert order.metric is not None, "a walk is a metric sort's"
    name = bind(order.metric, "text")
    lacking = (
        f"not exists (select 1 from model_metrics lm where lm.artifact_id = {a}.id "
        f"and lm.name = {name})"
    )
    enough = bind(count + offset, "int8")
    if after is not None and after.value is None:
        having = "false"  # the cursor is past every model with the metric
        rest = f"{lacking} and {a}.id {'<' if order.descending else '>'} {bind(after.id, 'text')}"
    else:
        having = "true"
        if after is not None:
            having = _after("s.value", "s.artifact_id", after, order.descending, bind, "float8")
        rest = lacking
    source, walked = "model_metrics s", where
    tail, tail_walked = f"artifacts {a}", where
    if walk is not None:
        source, walked = (
            "trained_on_metrics s",
            f"{_trained_on('s', walk.ref, bind)} and {walk.rest}",
        )
        # The models of the dataset without the metric come from its links, in id order.
        tail = f"links tl join artifacts {a} on {a}.id = tl.source_id"
        tail_walked = (
            f"tl.type = 'trained_on' and {_trained_on('tl', walk.ref, bind)} and {walk.rest}"
        )
    with_metric = (
        f"select {a}.*, s.value as sort_key from {source} "
        f"join artifacts {a} on {a}.id = s.artifact_id "
        f"where s.name = {name} and {having} and {walked} "
        f"order by s.value {d}, s.artifact_id {d} limit {enough}"
    )
    # Read only when the models with the metric do not fill the page: a one-time filter.
    without = (
        f"select {a}.*, null::float8 as sort_key from {tail} "
        f"where (select count(*) from wm) < {enough} and {rest} and {tail_walked} "
        f"order by {a}.id {d} limit {enough}"
    )
    return (
        f"with wm as materialized ({with_metric}) "
        f"select * from (select * from wm union all ({without})) {a} "
        f"order by {outer_order(a, order)} {limit}"
    )


def _by_column(
    a: str, where: str, order: Order, bind: TypedBind, after: Position | None, limit: str
) -> str:
    """A sort by an artifacts column: its index, from the cursor on."""
    d = "desc" if order.descending else "asc"
    sort = filters.SORTS[order.sort].column
    keyset = ""
    if after is not None:
        cond = _after(f"{a}.{sort}", f"{a}.id", after, order.descending, bind, SQL_TYPES[sort])
        keyset = f" and {cond}"
    return (
        f"select {a}.*, {a}.{sort} as sort_key from artifacts {a} where {where}{keyset} "
        f"order by {a}.{sort} {d}, {a}.id {d} {limit}"
    )


def _driven(
    a: str,
    where: str,
    order: Order,
    name: str,
    bind: TypedBind,
    after: Position | None,
    limit: str,
) -> str:
    """A metric sort of the few models ``where`` picks: read them with the metric, sort."""
    d = "desc" if order.descending else "asc"
    keyset = ""
    if after is not None and after.value is None:
        cmp = "<" if order.descending else ">"
        keyset = f" and (s.value is null and {a}.id {cmp} {bind(after.id, 'text')})"
    elif after is not None:
        ahead = _after("s.value", f"{a}.id", after, order.descending, bind, "float8")
        keyset = f" and ((s.value is not null and {ahead}) or s.value is null)"
    return (
        f"select {a}.*, s.value as sort_key from artifacts {a} "
        f"left join model_metrics s on s.artifact_id = {a}.id and s.name = {name} "
        f"where {where}{keyset} order by (s.value is null), s.value {d}, {a}.id {d} {limit}"
    )


def _trained_on(s: str, ref: str, bind: TypedBind) -> str:
    """trained_on_metrics rows ``s`` whose link reaches what ``ref`` names: any version of
    a lineage, or a version (pinned to it, or floating while it is the latest), as the
    trained_on filter reads a reference (app.readmodel.tree_sql).

    Either way the rows are one lineage's, so the walk is one range of the index: a ref that
    does not look like a version id is a lineage id (app.ids), and a version's lineage is
    looked up in the statement, as an alias is.
    """
    p = bind(ref, "text")
    if not ids.aliased([ref]) and ids.version_number(ref) is None:
        return f"{s}.target_lineage_id = {p}"
    version = refs_sql.target_sql(p) if ids.aliased([ref]) else p
    lineage = f"(select v.lineage_id from artifacts v where v.id = {version})"
    latest = f"coalesce((select v.is_latest from artifacts v where v.id = {version}), false)"
    return (
        f"{s}.target_lineage_id = {lineage} and ({s}.target_version_id = {version} "
        f"or ({s}.target_version_id is null and {latest}))"
    )
