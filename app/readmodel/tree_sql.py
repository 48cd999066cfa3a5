"""A filter tree (app.search.tree) as one SQL condition on artifact rows: the one definition
the resolvers' statements and the compiled statement both write.

Every leaf is a condition that is true or false for a row, never NULL (each column it reads
is set on every row of its kind, and a missing metric or tag is a NOT EXISTS), so NOT is the
two-valued negation the tree promises. References (``trained_on = 'dataset-x'``) are looked
up in the statement, as aliases are: no process keeps what they named. A reference to
nothing, to an alias that is not set, or to an artifact of another kind reaches nothing, as
the list's dataset and hypothesis filters always have.

Inside an OR, a metric or tag leaf is a probe of its one row by key (a scalar subquery), not
an EXISTS. PostgreSQL cannot join an EXISTS under OR into the page's walk; counting its calls
over the whole walk rather than the page, it plans the EXISTS as a hash of every row the
subquery could match, built on each execution: every model under a metric bound, every
version with a tag, 18,000 rows for a page of 20 at 100,000 models. A scalar subquery is
never hashed, so a page reads only what it walks.
"""

from __future__ import annotations

from collections.abc import Callable

from app import ids, reach
from app.domain import LinkType
from app.readmodel import filters
from app.repo import refs as refs_sql
from app.search import fields as f
from app.search.fields import Op
from app.search.tree import And, Leaf, Node, Not, Or

# Appends a value to the statement's parameters with its SQL type; returns "$n".
TypedBind = Callable[[object, str], str]

_COMPARE = {Op.EQ: "=", Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">="}

# The link type a reference leaf follows out of the row: the row's links reach what the
# reference names.
REF_LINKS: dict[f.FieldSpec, LinkType] = {
    f.TRAINED_ON: LinkType.TRAINED_ON,
    f.PRODUCED_BY: LinkType.PRODUCED_BY,
    f.TESTS_HYPOTHESIS: LinkType.TESTS_HYPOTHESIS,
    f.DERIVED_FROM: LinkType.DERIVED_FROM,
    f.USES: LinkType.USES,
    f.ADDRESSES: LinkType.ADDRESSES,
}
# The link type a reference leaf follows into the row: what the reference names has links
# of that type reaching the row.
REF_SOURCES: dict[f.FieldSpec, LinkType] = {
    f.USED_BY: LinkType.USES,
    f.TESTED_BY: LinkType.TESTS_HYPOTHESIS,
}

# Columns an ordered comparison reads, with the SQL type of the bound value.
_COLUMNS: dict[f.FieldSpec, tuple[str, str]] = {
    f.QUALITY_SCORE: ("quality_score", "float8"),
    f.PARAMETER_COUNT: ("parameter_count", "int8"),
    f.CREATED_AT: ("created_at", "timestamptz"),
}


def condition(node: Node, a: str, bind: TypedBind, *, probed: bool = False) -> str:
    """``node`` as SQL on artifact rows ``a`` (of the kind whose leaves it holds);
    ``probed``: it is inside an OR."""
    if isinstance(node, Not):
        return f"not {condition(node.child, a, bind, probed=probed)}"
    if isinstance(node, And | Or):
        joiner = " and " if isinstance(node, And) else " or "
        inner = probed or isinstance(node, Or)
        return "(" + joiner.join(condition(c, a, bind, probed=inner) for c in node.children) + ")"
    return f"({_leaf(node, a, bind, probed)})"


def _leaf(leaf: Leaf, a: str, bind: TypedBind, probed: bool) -> str:
    spec, op, value = leaf.field.spec, leaf.op, leaf.value

    def text(v: object) -> str:
        return bind(str(v), "text")

    if spec in _COLUMNS:
        column, sql_type = _COLUMNS[spec]
        return f"{a}.{column} {_COMPARE[op]} {bind(value, sql_type)}"
    if spec is f.FAMILY:
        return f"{a}.family = {text(value)}"
    if spec is f.ARCHITECTURE:
        if op is Op.CONTAINS:
            return filters.title_search(f"{a}.architecture", str(value))
        return f"{a}.architecture = {text(value)}"
    if spec is f.METRICS:
        name = text(leaf.field.param)
        row = f"from model_metrics mm where mm.artifact_id = {a}.id and mm.name = {name}"
        compared = "" if op is Op.PRESENT else f"mm.value {_COMPARE[op]} {bind(value, 'float8')}"
        if probed:
            return _probe(compared or "true", row)
        return f"exists (select 1 {row}{' and ' + compared if compared else ''})"
    if spec is f.TAGS:
        assert leaf.field.param is not None
        wanted = None if op is Op.PRESENT else str(value)
        if probed:
            key = text(leaf.field.param)
            row = f"from tags tp where tp.artifact_id = {a}.id and tp.key = {key}"
            return _probe("true" if wanted is None else f"tp.value = {text(wanted)}", row)
        return filters.tagged(a, text, (leaf.field.param, wanted))
    if spec is f.ALIAS:
        return filters.aliased_as(a, text, str(value))
    if spec is f.PROVENANCE_COMPLETE:
        return f"jsonb_array_length({a}.provenance_warnings) {'=' if value else '>'} 0"
    if spec is f.WARNING:
        code = getattr(value, "value", value)
        return (
            f"exists (select 1 from jsonb_array_elements({a}.provenance_warnings) w "
            f"where w ->> 'code' = {text(code)})"
        )
    if spec in REF_LINKS:
        return _reaches(leaf, a, text)
    if spec in REF_SOURCES:
        return _reached_by(leaf, a, text)
    if spec is f.LATEST:
        return filters.latest(a) if value else f"not {filters.latest(a)}"
    if spec is f.ARCHIVED:
        return f"{a}.archived_at is {'not ' if value else ''}null"
    if spec is f.TEXT:
        return _anywhere(a, str(value))
    if spec is f.TITLE:
        return filters.title_search(f"{a}.title", str(value))
    raise AssertionError(spec.name)


def _named(leaf: Leaf, row: str, text: Callable[[object], str]) -> str:
    """Whether artifact row ``row`` is what the leaf's reference names: that version, any
    version of that lineage, or the version lineage@alias holds now."""
    ref = str(leaf.value)
    p = text(ref)
    target = refs_sql.target_sql(p) if ids.aliased([ref]) else p
    return f"({row}.id = {target} or {row}.lineage_id = {p})"


def _probe(test: str, row: str) -> str:
    """``test`` on the one row ``row`` names by its key (model_metrics and tags have one per
    artifact and name or key), false when there is none: a two-valued leaf."""
    return f"coalesce((select {test} {row}), false)"


def _reaches(leaf: Leaf, a: str, text: Callable[[object], str]) -> str:
    """Rows ``a`` with a link of the leaf's type reaching what its reference names: that
    version, any version of that lineage, or the version lineage@alias holds now.

    A link names its target's lineage and pins a version or floats on the lineage's latest
    (app.reach): it reaches a version of lineage L when it names L, and version v when it pins
    v or floats on v's lineage while v is the latest. Each of the three is a range of a links
    index that holds the source id, so the few models a reference picks are read from the
    indexes alone, without visiting a link row or the artifact it reaches.
    """
    link_type = REF_LINKS[leaf.field.spec]
    ref = str(leaf.value)
    p = text(ref)
    version = refs_sql.target_sql(p) if ids.aliased([ref]) else p
    links = f"select rl.source_id from links rl where rl.type = '{link_type.value}' and"
    latest_of = f"(select v.lineage_id from artifacts v where v.id = {version} and v.is_latest)"
    return (
        f"{a}.id in ({links} rl.target_lineage_id = {p} "
        f"union all {links} rl.target_version_id = {version} "
        f"union all {links} rl.target_version_id is null and rl.target_lineage_id = {latest_of})"
    )


def _reached_by(leaf: Leaf, a: str, text: Callable[[object], str]) -> str:
    """Rows ``a`` that a link of the leaf's type leaving what its reference names reaches."""
    link_type = REF_SOURCES[leaf.field.spec]
    return (
        f"exists (select 1 from artifacts rs join links rl on rl.source_id = rs.id "
        f"where {_named(leaf, 'rs', text)} and rl.type = '{link_type.value}' "
        f"and {reach.sql('rl', a)})"
    )


def _anywhere(a: str, text: str) -> str:
    """The text search: the title, the description, or a tag's key or value contains it."""
    in_tags = " or ".join(filters.title_search(f"tx.{c}", text) for c in ("key", "value"))
    return (
        f"{filters.title_search(f'{a}.title', text)} "
        f"or {filters.title_search(f'{a}.description', text)} "
        f"or exists (select 1 from tags tx where tx.artifact_id = {a}.id and ({in_tags}))"
    )
