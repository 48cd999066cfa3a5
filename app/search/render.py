"""The canonical text of a filter tree, and its fingerprint. No I/O.

``render`` writes a tree in the text language so that ``parse(render(t)) == normalize(t)``
(equal to ``t`` itself for a normalized tree): strings in single quotes with a quote
doubled, numbers in Python's shortest round-trip form, date-times in UTC ending in ``Z``,
metric names bare when they can be and in backticks otherwise, keywords in upper case,
``!=`` and ``IS NULL`` for the negated leaves they abbreviate, and an AND inside an OR in
parentheses for the reader even though precedence would not need them.

``fingerprint`` is a short stable hash of the normalized tree's canonical text: two filters
with the same fingerprint say the same thing in the same order (cursors carry it).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import Enum

from app.search.fields import Field, Op, Param, bare_metric_name
from app.search.tree import And, Leaf, Node, Not, Or, normalize

FINGERPRINT_LENGTH = 16


def render(node: Node) -> str:
    """``node`` in the canonical text of the filter language."""
    if isinstance(node, Leaf):
        return _leaf(node)
    if isinstance(node, Not):
        child = node.child
        if isinstance(child, Leaf) and child.op is Op.EQ:
            return f"{field_text(child.field)} != {value_text(child.value)}"
        if isinstance(child, Leaf) and child.op is Op.PRESENT:
            return f"{field_text(child.field)} IS NULL"
        inner = render(child)
        return f"NOT ({inner})" if isinstance(child, And | Or) else f"NOT {inner}"
    if isinstance(node, And):
        return " AND ".join(_grouped(c, Or) for c in node.children)
    return " OR ".join(_grouped(c, And) for c in node.children)


def _grouped(child: Node, group: type[And] | type[Or]) -> str:
    text = render(child)
    return f"({text})" if isinstance(child, group) else text


def _leaf(leaf: Leaf) -> str:
    if leaf.op is Op.PRESENT:
        return f"{field_text(leaf.field)} IS NOT NULL"
    return f"{field_text(leaf.field)} {leaf.op.value} {value_text(leaf.value)}"


def field_text(field: Field) -> str:
    """A field as the language writes it: ``quality_score``, ``metrics.`val loss```."""
    if field.param is None:
        return field.spec.name
    if field.spec.param is Param.METRIC and not bare_metric_name(field.param):
        return f"{field.spec.name}.`{field.param.replace('`', '``')}`"
    return f"{field.spec.name}.{field.param}"


def value_text(value: object) -> str:
    """A value as the language writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _quoted(str(value.value))
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, datetime):
        return _quoted(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))
    return repr(value)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fingerprint(node: Node | None) -> str:
    """A short stable hash of the filter (of no filter, for None)."""
    text = "" if node is None else render(normalize(node))
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]
