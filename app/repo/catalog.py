"""Lists of artifacts with filters, sorts and paging, and the lookups loaders batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app import ids, reach
from app.db.types import Conn
from app.domain import Artifact, Family, Kind, Link
from app.readmodel import filters, page_sql, tree_sql
from app.readmodel.page_sql import Order
from app.repo import refs as refs_sql
from app.repo import rows
from app.search import model_lists
from app.search.cursor import Position
from app.search.tree import Node

Reach = reach.Target


@dataclass(frozen=True)
class ModelQuery:
    """A validated model list request."""

    family: Family | None = None
    dataset: Reach | None = None
    hypothesis: Reach | None = None
    latest_only: bool = False
    search: str | None = None
    tag: filters.TagFilter | None = None
    alias: str | None = None
    # The rest of the filter, as a tree (ANDed with the fields above).
    where: Node | None = None
    sort: str = "created_at"
    direction: str = "desc"
    # Sort by this metric (in ``direction``) instead of ``sort``.
    metric: str | None = None
    limit: int = 20
    offset: int = 0
    # Keyset paging: start after this item; ``fingerprint`` names the list cursors are for.
    after: Position | None = None
    fingerprint: str = ""
    # The filter picks few models (page_sql.page_rows reads them instead of walking).
    driven: bool = False

    @property
    def order(self) -> Order:
        return Order(self.sort, self.direction == "desc", self.metric)

    def reaches(self) -> list[tuple[str, Reach]]:
        """The link filters that are set, by link type, the dataset first."""
        pairs = (("trained_on", self.dataset), ("tests_hypothesis", self.hypothesis))
        return [(link_type, target) for link_type, target in pairs if target is not None]


Param = Callable[[object], str]


def _binder(args: list[object]) -> Param:
    """A function that appends a value to ``args`` and returns its $n placeholder."""

    def param(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    return param


def _typed(param: Param) -> tree_sql.TypedBind:
    """``param`` with the value's SQL type written beside its placeholder."""
    return lambda value, sql_type: f"{param(value)}::{sql_type}"


def _model_conditions(q: ModelQuery, param: Param, *, driving: str | None = None) -> list[str]:
    """The filters of ``q`` that are set, beyond the kind, as SQL on artifacts ``a``.

    Only set filters appear, so each combination gets a plan that uses its indexes. The link
    filter of type ``driving`` is left out: the caller walks those links itself.
    """
    conditions = filters.conditions(
        "a",
        param,
        family=q.family.value if q.family else None,
        latest_only=q.latest_only,
        search=q.search,
        tag=q.tag,
        alias=q.alias,
    )
    if q.where is not None:
        conditions.append(tree_sql.condition(q.where, "a", _typed(param)))
    for link_type, target in q.reaches():
        if link_type == driving:
            continue
        reaching = " or ".join(f"({b})" for b in reach.branches("f", target, param))
        conditions.append(
            f"a.id in (select f.source_id from links f where f.type = '{link_type}' "
            f"and ({reaching}))"
        )
    return conditions


def _model_where(q: ModelQuery, param: Param) -> str:
    """Every filter of ``q`` as SQL on artifacts ``a`` with $n parameters."""
    return " and ".join(["a.kind = 'model'", *_model_conditions(q, param)])


def counted_total(q: ModelQuery) -> tuple[str, list[object]] | None:
    """The total from the trigger-kept counters, when only they filter it.

    Counted are: family and latest (model_counts), or one dataset or hypothesis alone
    (link_counts, where a latest version adds the links floating on its lineage).
    """
    reaches = q.reaches()
    several = reaches and (q.family is not None or q.latest_only or len(reaches) > 1)
    if q.search or q.tag or q.alias or q.where is not None or several:
        return None
    if reaches:
        link_type, target = reaches[0]
        sql = "select coalesce(sum(n), 0)::bigint from link_counts where type = $1 and "
        if target.version is None:
            return sql + "scope = 'lineage' and target_id = $2", [link_type, target.lineage]
        if not target.version_is_latest:
            return sql + "scope = 'version' and target_id = $2", [link_type, target.version]
        both = "((scope = 'version' and target_id = $2) or (scope = 'floating' and target_id = $3))"
        return sql + both, [link_type, target.version, target.lineage]
    sql = "select coalesce(sum(n), 0)::bigint from model_counts where latest_only = $1"
    if q.family is None:
        return sql, [q.latest_only]
    return sql + " and family = $2", [q.latest_only, q.family.value]


def _rows_page(
    q: ModelQuery | KindQuery,
    where: str | None,
    param: Param,
    *,
    driven: bool = False,
    walk: page_sql.Walk | None = None,
) -> str:
    """The rows of one page of ``q`` under ``where`` and one row more (is there a next
    page?), in page order (app.readmodel.page_sql)."""
    page = page_sql.page_rows(
        "a",
        where,
        q.order,
        _typed(param),
        after=q.after,
        count=q.limit + 1,
        offset=q.offset,
        driven=driven,
        walk=walk,
    )
    order = page_sql.outer_order("a", q.order)
    return f"select {rows.ARTIFACT_COLUMNS} from ({page}) a order by {order}"


def _page_sql(q: ModelQuery) -> tuple[str, list[object]]:
    """The statement for one page of ``q`` and one item more (is there a next page?)."""
    args: list[object] = []
    param = _binder(args)
    # Sorts reach SQL only through the declared keys; nothing a client sends is spliced in.
    direction = {"asc": "asc", "desc": "desc"}[q.direction]
    reaches = q.reaches()
    if not reaches or q.metric is not None:
        walked = _walk(q, param)
        where = _model_where(q, param) if walked is None else None
        return _rows_page(q, where, param, driven=q.driven, walk=walked), args
    # The first link filter drives: its links are walked in page order (the link type implies
    # a model source), joined to their models only to apply the other filters, and the walk
    # stops once the page is full. Only the page's rows are then read from artifacts.
    sort = filters.SORTS[q.sort]
    link_type, reach_target = reaches[0]
    conditions = _model_conditions(q, param, driving=link_type)
    join = " join artifacts a on a.id = l.source_id" if conditions else ""
    key = f"l.{sort.link_column}"
    if q.after is not None:
        cmp = "<" if direction == "desc" else ">"
        typed = _typed(param)
        value = typed(q.after.value, page_sql.SQL_TYPES[sort.column])
        conditions.append(f"({key}, l.source_id) {cmp} ({value}, {typed(q.after.id, 'text')})")

    def walk(branch: str, paging: str) -> str:
        where = " and ".join([f"l.type = '{link_type}'", branch, *conditions])
        return (
            f"select l.source_id, {key} as sort_key from links l{join} where {where} "
            f"order by {key} {direction}, l.source_id {direction} {paging}"
        )

    order = f"order by p.sort_key {direction}, p.source_id {direction}"
    page = f"limit {param(q.limit + 1)} offset {param(q.offset)}"
    branches = reach.branches("l", reach_target, param)
    if len(branches) == 1:
        keys = walk(branches[0], page)
    else:
        # Pinned and floating links merge; each walk stops at the page's end.
        enough = f"limit {param(q.limit + 1 + q.offset)}"
        union = " union all ".join(f"({walk(b, enough)})" for b in branches)
        keys = f"select * from ({union}) p {order} {page}"
    return (
        f"select {rows.ARTIFACT_COLUMNS} from ({keys}) p join artifacts a on a.id = p.source_id "
        f"{order}"
    ), args


def _walk(q: ModelQuery, param: Param) -> page_sql.Walk | None:
    """The dataset a metric sort of ``q`` walks the models of, with the rest of its filter."""
    found = model_lists.trained_on(q.where) if q.metric is not None else None
    if found is None:
        return None
    ref, rest = found
    return page_sql.Walk(ref, _model_where(dataclasses.replace(q, where=rest), param))


async def list_models(conn: Conn, q: ModelQuery) -> list[Artifact]:
    """One page of models, sorted with id as the tie-break in the same direction."""
    sql, args = _page_sql(q)
    records = await conn.fetch(sql, *args)
    return [rows.artifact(r) for r in records]


async def count_models(conn: Conn, q: ModelQuery) -> int:
    """How many models match the filters of ``q``, ignoring paging."""
    counted = counted_total(q)
    if counted is not None:
        value: int = await conn.fetchval(counted[0], *counted[1])
        return value
    args: list[object] = []
    where = _model_where(q, _binder(args))
    value = await conn.fetchval(f"select count(*) from artifacts a where {where}", *args)
    return value


async def matching_models(conn: Conn, q: ModelQuery, version_ids: Sequence[str]) -> set[str]:
    """Which of ``version_ids`` the filters of ``q`` match (its sort and paging aside)."""
    args: list[object] = [list(version_ids)]
    where = _model_where(q, _binder(args))
    records = await conn.fetch(
        f"select a.id from artifacts a where a.id = any($1::text[]) and {where}", *args
    )
    return {r["id"] for r in records}


@dataclass(frozen=True)
class KindQuery:
    """A validated list request for datasets, analyses or hypotheses, newest first."""

    kind: Kind
    # Every filter, the list's arguments among them, as one tree.
    where: Node | None = None
    limit: int = 20
    offset: int = 0
    after: Position | None = None
    fingerprint: str = ""

    @property
    def order(self) -> Order:
        return Order()


def _kind_where(q: KindQuery, param: Param) -> str:
    conditions = [f"a.kind = {param(q.kind.value)}"]
    if q.where is not None:
        conditions.append(tree_sql.condition(q.where, "a", _typed(param)))
    return " and ".join(conditions)


async def list_kind(conn: Conn, q: KindQuery) -> list[Artifact]:
    """One page of ``q`` and one item more (is there a next page?), newest first."""
    args: list[object] = []
    param = _binder(args)
    records = await conn.fetch(_rows_page(q, _kind_where(q, param), param), *args)
    return [rows.artifact(r) for r in records]


async def count_kind(conn: Conn, q: KindQuery) -> int:
    """How many versions match the filters of ``q``, ignoring paging."""
    args: list[object] = []
    where = _kind_where(q, _binder(args))
    value: int = await conn.fetchval(f"select count(*) from artifacts a where {where}", *args)
    return value


async def by_refs_map(conn: Conn, refs: Sequence[str]) -> dict[str, Artifact]:
    """Map each ref (version id, lineage id meaning latest, lineage@alias) to what it names,
    and each version found to itself by its id (and its lineage's id when it is the latest);
    refs that name nothing are absent."""
    wanted = list(dict.fromkeys(ids.possible_ids(list(refs))))
    if not wanted:
        return {}
    if not ids.aliased(wanted):
        records = await conn.fetch(
            f"""
            select {rows.ARTIFACT_COLUMNS} from artifacts a
            where a.id = any($1::text[]) or (a.lineage_id = any($1::text[]) and a.is_latest)
            """,
            wanted,
        )
        return _by_own_ids(map(rows.artifact, records))
    records = await conn.fetch(
        f"""
        select r.ref, {rows.ARTIFACT_COLUMNS} from unnest($1::text[]) as r(ref)
        join artifacts a on {refs_sql.names_sql("a", "r.ref", aliased=True)}
        """,
        wanted,
    )
    found = [(r["ref"], rows.artifact(r)) for r in records]
    return _by_own_ids(a for _, a in found) | dict(found)


def _by_own_ids(found: Iterable[Artifact]) -> dict[str, Artifact]:
    by_ref: dict[str, Artifact] = {}
    for a in found:
        by_ref[a.id] = a
        if a.is_latest:
            by_ref[a.lineage_id] = a
    return by_ref


async def lineage_sizes(conn: Conn, lineage_ids: Sequence[str]) -> dict[str, int]:
    """How many versions each lineage has (they are numbered 1..n without gaps)."""
    records = await conn.fetch(
        "select id, latest_version from lineages where id = any($1::text[])", list(lineage_ids)
    )
    return {r["id"]: r["latest_version"] for r in records}


# The links that reach version t.
_REACHING_T = reach.sql("l", "t")


async def source_counts(conn: Conn, keys: Sequence[tuple[str, str, str]]) -> list[int]:
    """How many versions of a kind have a link of a type reaching a version, for each
    (version id, link type, source kind) key."""
    records = await conn.fetch(
        f"""
        select k.i, (
            select count(*) from links l
            where l.type = k.type and l.source_kind = k.kind and {_REACHING_T}
        ) as n
        from unnest($1::text[], $2::text[], $3::text[]) with ordinality as k(id, type, kind, i)
        left join artifacts t on t.id = k.id
        order by k.i
        """,
        *rows.columns(keys, 3),
    )
    return [r["n"] for r in records]


async def versions_of(conn: Conn, lineage_ids: Sequence[str]) -> list[Artifact]:
    """Every version of the given lineages, oldest first."""
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a
        where a.lineage_id = any($1::text[]) order by a.lineage_id, a.version_number
        """,
        list(lineage_ids),
    )
    return [rows.artifact(r) for r in records]


async def links_reaching(conn: Conn, version_ids: Sequence[str]) -> list[tuple[str, Link]]:
    """Links that reach each version: pinned to it, or floating on its lineage while latest."""
    records = await conn.fetch(
        f"""
        select t.id as reached, {rows.LINK_COLUMNS}
        from artifacts t
        join links l on {_REACHING_T}
        where t.id = any($1::text[])
        order by t.id, l.type, l.source_id
        """,
        list(version_ids),
    )
    return [(r["reached"], rows.link(r)) for r in records]
