"""How a compiled model list reads its filter, order and cursor: as the service reads them
(app.service.catalog.model_query), or Unsupported so that the resolvers answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app import ids, tags
from app.domain import Kind
from app.errors import InvalidInput
from app.readmodel.filters import MetricOrder
from app.readmodel.page_sql import Order
from app.schema import filter_inputs
from app.search import model_lists
from app.search.cursor import Position
from app.search.tree import Node, check_limits
from app.service import catalog


class Unsupported(Exception):
    """This query is answered by the resolvers instead."""


def _value(v: Any) -> Any:
    """The Python value of a coerced argument (enum members carry theirs in ``value``)."""
    return getattr(v, "value", v)


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _items(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return list(obj.items())
    return [(k, getattr(obj, k)) for k in vars(obj)] if obj is not None else []


@dataclass(frozen=True)
class Listed:
    """What a model list adds to its page's plan (app.repo.compiled.plan.ListPage)."""

    where: Node | None
    metric: str | None
    after: Position | None
    fingerprint: str
    driven: bool
    assumed: str | None
    descending: bool

    def plan(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "descending"}


def model_list(f: Any, metric: Any, after: Any, offset: int, sort: str, descending: bool) -> Listed:
    """The tree, order and cursor of a model list, read as the service reads them
    (app.service.catalog.model_query); Unsupported for anything it would refuse."""
    if after is not None and offset:
        raise Unsupported("cursor and offset")
    try:
        where = filter_inputs.tree(f, skip=filter_inputs.LEGACY)
        legacy = catalog.ModelFilter(
            family=_value(_get(f, "family")),
            dataset=_get(f, "trainedOn"),
            hypothesis=_get(f, "testsHypothesis"),
            latest_only=bool(_get(f, "latestOnly")),
            search=_get(f, "search") or None,
            tag=tag_filter(_get(f, "tag")),
            alias=_get(f, "alias"),
        )
        assumed = None
        if metric is None:
            order = Order(sort, descending)
        else:
            how = MetricOrder(_value(_get(metric, "order")))
            # The registry's direction is read in the statement: assume the name's, guard it.
            order = catalog.metric_order(_get(metric, "name"), how, {})
            if how is MetricOrder.BEST:
                assumed = "HIGHER" if order.descending else "LOWER"
        asked = model_lists.question((catalog.legacy_tree(legacy), where), order, after)
        where = None if where is None else check_limits(where)
    except InvalidInput:
        raise Unsupported("invalid filter, sort or cursor") from None
    return Listed(
        where=asked.where if metric is not None else where,
        metric=order.metric,
        after=asked.after,
        fingerprint=asked.fingerprint,
        driven=metric is not None and model_lists.driven(asked.where),
        assumed=assumed,
        descending=order.descending,
    )


def kind_list(
    kind: str, f: Any, latest_only: bool, search: str | None, after: Any, offset: int
) -> Listed:
    """The tree and cursor of a dataset, analysis or hypothesis list, read as the service
    reads them (app.service.catalog.kind_query); Unsupported for anything it would refuse."""
    if after is not None and offset:
        raise Unsupported("cursor and offset")
    try:
        q = catalog.kind_query(
            Kind(kind),
            filter_inputs.tree(f, kind=kind),
            latest_only=latest_only,
            search=search,
            limit=1,
            offset=0,
            after=after,
        )
    except InvalidInput:
        raise Unsupported("invalid filter or cursor") from None
    return Listed(q.where, None, q.after, q.fingerprint, False, None, True)


def alias_filter(value: Any) -> str | None:
    """An alias filter the statement can apply; the resolvers answer invalid ones with errors."""
    if value is not None and (
        ids.ALIAS.fullmatch(value) is None or ids.RESERVED_ALIAS.fullmatch(value)
    ):
        raise Unsupported("alias out of range")
    return None if value is None else str(value)


def tag_filter(value: Any) -> tuple[str, str | None] | None:
    """A tag filter the statement can apply; the resolvers answer invalid ones with errors."""
    if value is None:
        return None
    key, wanted = _get(value, "key"), _get(value, "value")
    if not tags.KEY.fullmatch(key) or (wanted is not None and not tags.valid_value(wanted)):
        raise Unsupported("tag out of range")
    return key, wanted


def filter_keys(f: Any, level: int = 0) -> set[str]:
    """Every key given in a filter and the filters nested in it."""
    if level > filter_inputs.MAX_NESTING:
        raise Unsupported("nested too deep")  # the resolvers refuse it with its code
    found = {k for k, v in _items(f) if v is not None}
    nested = [*(_get(f, "and") or []), *(_get(f, "or") or [])]
    if _get(f, "not") is not None:
        nested.append(_get(f, "not"))
    for child in nested:
        found |= filter_keys(child, level + 1)
    return found
