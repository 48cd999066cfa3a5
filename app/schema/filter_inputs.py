"""The model list's filter and sort inputs, and the reading of any list's filter as a filter
tree (app.search).

A ModelFilter's fields are leaves of the catalog in app.search.fields (its GraphQL names),
ANDed; ``and``, ``or`` and ``not`` nest filters. The other kinds' filters
(app.schema.kind_filters) read the same way. Both paths read the input here: the resolvers
get these classes, the compiled path the coerced argument dicts (GraphQL names), and
``tree`` reads either alike.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from app.domain import Family, WarningCode
from app.errors import InvalidInput
from app.readmodel.filters import MetricOrder
from app.schema.scalars import BigInt
from app.schema.values import ModelSortField, SortDirection
from app.search import fields as f
from app.search.fields import BAD_FILTER, Field, Op
from app.search.tree import MAX_DEPTH, TOO_COMPLEX, And, Leaf, Node, Not, Or, leaf
from app.service import catalog

_RANGE_OPS = (("eq", Op.EQ), ("lt", Op.LT), ("lte", Op.LTE), ("gt", Op.GT), ("gte", Op.GTE))


@strawberry.input(description="Bounds on a number; each given bound must hold.")
class FloatRange:
    eq: float | None = None
    lt: float | None = None
    lte: float | None = None
    gt: float | None = None
    gte: float | None = None


@strawberry.input(description="Bounds on an integer; each given bound must hold.")
class BigIntRange:
    eq: BigInt | None = None
    lt: BigInt | None = None
    lte: BigInt | None = None
    gt: BigInt | None = None
    gte: BigInt | None = None


@strawberry.input(description="Bounds on a time; each given bound must hold.")
class DateTimeRange:
    eq: datetime | None = None
    lt: datetime | None = None
    lte: datetime | None = None
    gt: datetime | None = None
    gte: datetime | None = None


@strawberry.input(
    description="A metric by name and bounds on its value; with no bound, that the model has "
    "it. False for a model without the metric (its `not` is true)."
)
class MetricCondition:
    name: str
    eq: float | None = None
    lt: float | None = None
    lte: float | None = None
    gt: float | None = None
    gte: float | None = None


@strawberry.input(description="Text equal to `eq`, or containing `contains` (any case).")
class TextMatch:
    eq: str | None = None
    contains: str | None = None


@strawberry.input(description="Versions carrying a tag: its key, with this value or any.")
class TagFilter:
    key: str
    value: str | None = strawberry.field(
        default=None, description="The exact value; any value when left out."
    )


@strawberry.input(
    description="Models matching every field given; `and`, `or` and `not` combine filters "
    "(nested at most 4 levels, at most 20 conditions; beyond: FILTER_TOO_COMPLEX)."
)
class ModelFilter:
    family: Family | None = None
    trained_on: strawberry.ID | None = strawberry.field(
        default=None, description="A dataset version id, or a lineage id for any of its versions."
    )
    tests_hypothesis: strawberry.ID | None = strawberry.field(
        default=None, description="A hypothesis version id, or a lineage id."
    )
    latest_only: bool = strawberry.field(
        default=False, description="Only each lineage's latest version, and not if archived."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )
    tag: TagFilter | None = None
    alias: str | None = strawberry.field(
        default=None,
        description="Only versions an alias of this name points at (`production`), any lineage.",
    )
    architecture: TextMatch | None = None
    quality_score: FloatRange | None = None
    parameter_count: BigIntRange | None = None
    created_at: DateTimeRange | None = None
    metric: MetricCondition | None = None
    provenance_complete: bool | None = strawberry.field(
        default=None, description="true: no provenance warning; false: at least one."
    )
    warning: WarningCode | None = strawberry.field(
        default=None, description="Has this provenance warning."
    )
    produced_by: strawberry.ID | None = strawberry.field(
        default=None, description="An analysis version id, or a lineage id."
    )
    derived_from: strawberry.ID | None = strawberry.field(
        default=None, description="A model version id, or a lineage id."
    )
    archived: bool | None = None
    text: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of the title, the description or a tag.",
    )
    and_: list[ModelFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ModelFilter] | None = strawberry.field(name="or", default=None)
    not_: ModelFilter | None = strawberry.field(name="not", default=None)


@strawberry.input(description="Sort by a metric; models without it come last, by id.")
class MetricSort:
    name: str
    order: MetricOrder = MetricOrder.BEST


@strawberry.input
class ModelSort:
    field: ModelSortField = ModelSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC
    metric: MetricSort | None = strawberry.field(
        default=None, description="Sort by this metric instead of `field` and `direction`."
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def get(obj: Any, name: str) -> Any:
    """Input field ``name`` (its GraphQL name) of a coerced dict or an input instance."""
    if isinstance(obj, dict):
        return obj.get(name)
    python = {"and": "and_", "or": "or_", "not": "not_"}.get(name) or _snake(name)
    return getattr(obj, python, None)


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


def _plain(spec: f.FieldSpec, raw: Any) -> list[Node]:
    if raw is None:
        return []
    if spec.kind is f.Kind.BOOLEAN and spec is f.LATEST:
        return [leaf(Field(spec), Op.EQ, True)] if raw else []
    if spec is f.TITLE:
        return [leaf(Field(spec), Op.CONTAINS, raw)] if raw else []
    op = Op.CONTAINS if spec is f.TEXT else Op.EQ
    return [leaf(Field(spec), op, _value(raw))]


def _ranged(spec: f.FieldSpec, raw: Any, param: str | None = None) -> list[Node]:
    field = Field(spec, param)
    return [leaf(field, op, get(raw, key)) for key, op in _RANGE_OPS if get(raw, key) is not None]


# The fields a filter has always had, which the list reads on their own when they are at the
# top of the filter (app.service.catalog.ModelFilter).
LEGACY = frozenset({f.FAMILY, f.TRAINED_ON, f.TESTS_HYPOTHESIS, f.LATEST, f.TITLE, f.TAGS, f.ALIAS})


def _leaves(obj: Any, skip: frozenset[f.FieldSpec], kind: str) -> list[Node]:
    """The conditions of one filter object, in catalog order."""
    found: list[Node] = []
    for spec in f.KIND_CATALOG[kind]:
        raw = get(obj, spec.graphql)
        if raw is None or spec in skip:
            continue
        if spec is f.METRICS:
            bounds = _ranged(spec, raw, get(raw, "name"))
            found += bounds or [leaf(Field(spec, get(raw, "name")), Op.PRESENT)]
        elif spec is f.TAGS:
            value = get(raw, "value")
            field = Field(spec, get(raw, "key"))
            found.append(leaf(field, Op.PRESENT) if value is None else leaf(field, Op.EQ, value))
        elif spec is f.ARCHITECTURE:
            if get(raw, "eq") is not None:
                found.append(leaf(Field(spec), Op.EQ, get(raw, "eq")))
            if get(raw, "contains") is not None:
                found.append(leaf(Field(spec), Op.CONTAINS, get(raw, "contains")))
        elif spec.kind in (f.Kind.NUMBER, f.Kind.INTEGER, f.Kind.DATETIME):
            found += _ranged(spec, raw)
        else:
            found += _plain(spec, raw)
    return found


# Filters nested deeper than this are refused before they are read: far past what the depth
# limit lets through, and it keeps the reading's recursion shallow whatever the input.
MAX_NESTING = 32


def tree(
    obj: Any, skip: frozenset[f.FieldSpec] = frozenset(), level: int = 0, kind: str = "model"
) -> Node | None:
    """The filter ``obj`` on a list of ``kind`` asks for, as a tree (not yet checked against
    the limits), or None when it asks for nothing; the fields of ``skip`` are left out at
    its top."""
    if obj is None:
        return None
    if level > MAX_NESTING:
        raise InvalidInput(
            f"a filter nests and/or/not at most {MAX_DEPTH} levels deep", code=TOO_COMPLEX
        )
    found = _leaves(obj, skip, kind)
    for name, group in (("and", And), ("or", Or)):
        members = get(obj, name)
        if members is None:
            continue
        kids = [t for t in (tree(m, level=level + 1, kind=kind) for m in members) if t is not None]
        if name == "or" and len(kids) < len(members):
            raise InvalidInput("each filter in `or` must ask for something", code=BAD_FILTER)
        if kids:
            found.append(group(tuple(kids)))
        elif name == "or":
            raise InvalidInput("`or` needs at least one filter", code=BAD_FILTER)
    negated = get(obj, "not")
    if negated is not None:
        inner = tree(negated, level=level + 1, kind=kind)
        if inner is None:
            raise InvalidInput("`not` needs a filter that asks for something", code=BAD_FILTER)
        found.append(Not(inner))
    if not found:
        return None
    return found[0] if len(found) == 1 else And(tuple(found))


_OP_KEYS = {op: key for key, op in _RANGE_OPS}


def _leaf_input(node: Leaf) -> dict[str, Any]:
    spec, op, value = node.field.spec, node.op, node.value
    if isinstance(value, Enum):
        value = value.name  # GraphQL variables spell enum values by name
    elif isinstance(value, datetime):
        value = value.isoformat()
    if spec is f.METRICS:
        bound = {} if op is Op.PRESENT else {_OP_KEYS[op]: value}
        return {spec.graphql: {"name": node.field.param, **bound}}
    if spec is f.TAGS:
        kept = {} if op is Op.PRESENT else {"value": value}
        return {spec.graphql: {"key": node.field.param, **kept}}
    if spec is f.ARCHITECTURE:
        return {spec.graphql: {"contains" if op is Op.CONTAINS else "eq": value}}
    if spec.kind in (f.Kind.NUMBER, f.Kind.INTEGER, f.Kind.DATETIME):
        return {spec.graphql: {_OP_KEYS[op]: value}}
    if spec is f.LATEST and value is False:
        return {"not": {spec.graphql: True}}
    return {spec.graphql: value}


def as_input(node: Node) -> dict[str, Any]:
    """``node`` as a ModelFilter input in GraphQL variables: ``tree`` reads it back as the
    same filter (REST's text filter reaches the list this way)."""
    if isinstance(node, Leaf):
        return _leaf_input(node)
    if isinstance(node, Not):
        return {"not": as_input(node.child)}
    return {"and" if isinstance(node, And) else "or": [as_input(c) for c in node.children]}


def catalog_filter(given: ModelFilter | None) -> tuple[catalog.ModelFilter, Node | None]:
    """A model list's filter as the catalog takes it: the long-standing fields, then the tree
    of the rest."""
    chosen = given or ModelFilter()
    wanted = catalog.ModelFilter(
        family=Family(chosen.family.value) if chosen.family else None,
        dataset=chosen.trained_on,
        hypothesis=chosen.tests_hypothesis,
        latest_only=chosen.latest_only,
        search=chosen.search,
        tag=(chosen.tag.key, chosen.tag.value) if chosen.tag else None,
        alias=chosen.alias,
    )
    return wanted, tree(chosen, skip=LEGACY)
