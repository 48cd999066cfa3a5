"""Read use cases: pages of the catalog with validated filters, sorts and paging."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from app import ids, metric_directions, paging, tags, validation
from app.db.types import Conn
from app.domain import Artifact, Family, Kind
from app.errors import InvalidInput
from app.readmodel import filters, page_sql
from app.readmodel.filters import MetricOrder
from app.readmodel.page_sql import Order
from app.repo import artifacts as artifact_repo
from app.repo import catalog as catalog_repo
from app.repo import metric_declarations as declaration_repo
from app.repo.artifacts import ResolvedRef
from app.repo.catalog import KindQuery, ModelQuery, Reach
from app.search import cursor, model_lists
from app.search import fields as fs
from app.search.fields import Field, Op, check_metric_name
from app.search.tree import Node, check_limits, leaf

MAX_LIMIT = paging.MAX_PAGE
MAX_OFFSET = paging.MAX_OFFSET
MAX_SEARCH = validation.MAX_SEARCH
SORTS = tuple(filters.SORTS)
DIRECTIONS = filters.DIRECTIONS


@dataclass(frozen=True)
class ModelFilter:
    """What a client may filter models by; ids may be version ids or lineage ids."""

    family: Family | None = None
    dataset: str | None = None
    hypothesis: str | None = None
    latest_only: bool = False
    search: str | None = None
    tag: filters.TagFilter | None = None
    alias: str | None = None


check_paging = paging.check


_check_search = validation.check_search


def _check_tag(tag: filters.TagFilter | None) -> filters.TagFilter | None:
    if tag is None:
        return None
    key, value = tag
    return tags.check_key(key, "tag"), None if value is None else tags.check_value(value, "tag")


def _check_alias(alias: str | None) -> str | None:
    if alias is not None:
        ids.check_alias(alias)
    return alias


def check_filter_ref(name: str, ref: str | None) -> None:
    """A filter id must be one that could exist; text that never can (a NUL, spaces) is refused."""
    if ref and not ids.possible_ref(ref):
        raise InvalidInput(f"{name} is not an artifact or lineage id: {ref!r}", field=name)


def legacy_tree(f: ModelFilter) -> Node | None:
    """The list's long-standing filters as leaves of a filter tree, ANDed."""
    found: list[Node] = []
    for spec, value in ((fs.FAMILY, f.family), (fs.TRAINED_ON, f.dataset),
                        (fs.TESTS_HYPOTHESIS, f.hypothesis), (fs.ALIAS, f.alias)):  # fmt: skip
        if value:
            found.append(leaf(Field(spec), Op.EQ, value))
    if f.latest_only:
        found.append(leaf(Field(fs.LATEST), Op.EQ, True))
    if f.search:
        found.append(leaf(Field(fs.TITLE), Op.CONTAINS, f.search))
    if f.tag is not None:
        key, value = f.tag
        field = Field(fs.TAGS, key)
        found.append(leaf(field, Op.PRESENT) if value is None else leaf(field, Op.EQ, value))
    return model_lists.conjoin(*found)


def metric_order(name: str, order: MetricOrder, declared: Mapping[str, str]) -> Order:
    """A sort by metric ``name``: BEST in the registry's direction of it (``declared``: the
    declarations that bear on it), lower or higher first."""
    check_metric_name(name)
    if order is MetricOrder.BEST:
        lower = metric_directions.direction(name, declared) == metric_directions.LOWER
        return Order(metric=name, descending=not lower)
    return Order(metric=name, descending=order is MetricOrder.DESC)


async def model_query(
    conn: Conn,
    f: ModelFilter,
    sort: str,
    direction: str,
    limit: int,
    offset: int,
    *,
    where: Node | None = None,
    by_metric: tuple[str, MetricOrder] | None = None,
    after: str | None = None,
) -> ModelQuery | None:
    """Validate a list request and resolve its ids; None when a filter id names nothing.

    ``f`` holds the filters that have always been offered, ``where`` any further tree
    (ANDed); ``by_metric`` sorts by a metric instead of ``sort``; ``after`` is a cursor.
    """
    metric = None
    if by_metric is not None:
        name, how = by_metric
        check_metric_name(name)  # before the name reaches the database
        declared = await declaration_repo.directions(conn, [name])
        metric = metric_order(name, how, declared)
    check_paging(limit, offset)
    check_filter_ref("dataset", f.dataset)
    check_filter_ref("hypothesis", f.hypothesis)
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if direction not in DIRECTIONS:
        raise InvalidInput("order must be asc or desc", field="order")
    if after is not None and offset:
        raise InvalidInput("give a cursor or an offset, not both", field="offset")
    checked = dataclasses.replace(
        f, search=_check_search(f.search), tag=_check_tag(f.tag), alias=_check_alias(f.alias)
    )
    asked = model_lists.question(
        (legacy_tree(checked), where), metric or Order(sort, direction == "desc"), after
    )
    if metric is not None:
        # A metric sort reads the whole filter as one tree: it has its own ways to the page.
        return ModelQuery(
            where=asked.where,
            metric=metric.metric,
            direction="desc" if metric.descending else "asc",
            limit=limit,
            offset=offset,
            after=asked.after,
            fingerprint=asked.fingerprint,
            driven=model_lists.driven(asked.where),
        )
    refs = [r for r in (f.dataset, f.hypothesis) if r]
    resolved = await artifact_repo.resolve_refs(conn, refs) if refs else {}
    q = ModelQuery(
        family=f.family,
        latest_only=f.latest_only,
        search=checked.search,
        tag=checked.tag,
        alias=checked.alias,
        where=None if where is None else check_limits(where),
        sort=sort,
        direction=direction,
        limit=limit,
        offset=offset,
        after=asked.after,
        fingerprint=asked.fingerprint,
    )
    try:
        dataset = _reach(resolved, f.dataset, Kind.DATASET)
        hypothesis = _reach(resolved, f.hypothesis, Kind.HYPOTHESIS)
    except _MatchesNothing:
        return None
    return dataclasses.replace(q, dataset=dataset, hypothesis=hypothesis)


class _MatchesNothing(Exception):
    """A filter id names nothing of the kind it filters by, so no model can match."""


def _reach(resolved: dict[str, ResolvedRef], ref: str | None, kind: Kind) -> Reach | None:
    """The link filter a ref asks for, or None when there is no ref."""
    if not ref:
        return None
    target = resolved.get(ref)
    if target is None or target.kind is not kind:
        raise _MatchesNothing
    return Reach(
        target.lineage_id,
        target.version_id if target.is_version else None,
        target.is_version and target.is_latest,
    )


@dataclass(frozen=True)
class ModelRows:
    """One page of a list, and whether another page follows."""

    items: list[Artifact]
    more: bool


async def model_page(conn: Conn, q: ModelQuery | None) -> ModelRows:
    """One page of models for a resolved query (the statement reads one row more, to know
    whether a next page exists)."""
    if q is None:
        return ModelRows([], False)
    found = await catalog_repo.list_models(conn, q)
    return ModelRows(found[: q.limit], len(found) > q.limit)


async def list_models(conn: Conn, q: ModelQuery | None) -> list[Artifact]:
    """One page of models for a resolved query."""
    return (await model_page(conn, q)).items


def cursors(q: ModelQuery | KindQuery | None, items: list[Artifact]) -> list[str]:
    """The cursor after each item of a page: give one as ``after`` for the items past it."""
    if q is None:
        return []
    order = q.order
    return [
        cursor.encode(q.fingerprint, cursor.Position(page_sql.sort_value(a, order), a.id))
        for a in items
    ]


async def count_models(conn: Conn, q: ModelQuery | None) -> int:
    """The number of models a resolved query matches."""
    return 0 if q is None else await catalog_repo.count_models(conn, q)


def kind_query(
    kind: Kind,
    where: Node | None,
    *,
    latest_only: bool,
    search: str | None,
    limit: int,
    offset: int,
    after: str | None = None,
) -> KindQuery:
    """Validate a list request for datasets, analyses or hypotheses: ``where`` is its filter
    tree, ``latest_only`` and ``search`` the arguments the list has always taken."""
    check_paging(limit, offset)
    if after is not None and offset:
        raise InvalidInput("give a cursor or an offset, not both", field="offset")
    legacy = legacy_tree(ModelFilter(latest_only=latest_only, search=_check_search(search)))
    asked = model_lists.question((legacy, where), Order(), after, kind.value)
    return KindQuery(kind, asked.where, limit, offset, asked.after, asked.fingerprint)


async def kind_page(conn: Conn, q: KindQuery) -> ModelRows:
    """One page of a kind's list, and whether another page follows."""
    found = await catalog_repo.list_kind(conn, q)
    return ModelRows(found[: q.limit], len(found) > q.limit)


async def count_kind(conn: Conn, q: KindQuery) -> int:
    return await catalog_repo.count_kind(conn, q)


async def rows_of(conn: Conn, q: ModelQuery | KindQuery | None) -> ModelRows:
    """One page of any list, and whether another page follows."""
    if isinstance(q, KindQuery):
        return await kind_page(conn, q)
    return await model_page(conn, q)


async def total_of(conn: Conn, q: ModelQuery | KindQuery | None) -> int:
    """How many items any list matches, ignoring paging."""
    if isinstance(q, KindQuery):
        return await count_kind(conn, q)
    return await count_models(conn, q)
