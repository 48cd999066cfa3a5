"""A model filter as a tree: leaves compare one field, groups combine them. No I/O.

Every surface builds the same tree: the REST text language (app.search.parse) and the
GraphQL ``ModelFilter`` input; the SQL compiler and the reference evaluator read it. A tree
that exists is valid: a ``Leaf`` checks its operator and value against the field catalog,
and a group has at least one child.

Semantics are two-valued, so a plain evaluation in any language gives the same answer: a
comparison on something a model lacks (a metric it was not evaluated on, a tag key it does
not carry) is false, and its NOT is true. ``metrics.auc != 0.5`` therefore holds for a model
without ``auc``; ``metrics.auc IS NOT NULL AND metrics.auc != 0.5`` does not.

Limits, counted on the normalized tree (``normalize``) so that every spelling of one filter
is judged alike: and/or/not nest at most MAX_DEPTH levels (a bare leaf is depth 0, ``a AND
b`` depth 1, ``NOT (a AND (b OR c))`` depth 3), and a filter has at most MAX_LEAVES leaves.
Beyond either: InvalidInput with code FILTER_TOO_COMPLEX.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.errors import InvalidInput
from app.search import values
from app.search.fields import BAD_FILTER, Field, Op

__all__ = [
    "MAX_DEPTH",
    "MAX_LEAVES",
    "TOO_COMPLEX",
    "And",
    "Leaf",
    "Node",
    "Not",
    "Op",
    "Or",
    "check_limits",
    "depth",
    "leaf",
    "leaf_count",
    "leaves",
    "normalize",
]

MAX_DEPTH = 4
MAX_LEAVES = 20
TOO_COMPLEX = "FILTER_TOO_COMPLEX"


@dataclass(frozen=True)
class Leaf:
    """``field op value``: one comparison (value None for Op.PRESENT, IS NOT NULL)."""

    field: Field
    op: Op
    value: values.Value | None = None

    def __post_init__(self) -> None:
        values.check(self.field, self.op, self.value)


@dataclass(frozen=True)
class And:
    """True when every child is."""

    children: tuple[Node, ...]

    def __post_init__(self) -> None:
        _check_group(self.children, "AND")


@dataclass(frozen=True)
class Or:
    """True when some child is."""

    children: tuple[Node, ...]

    def __post_init__(self) -> None:
        _check_group(self.children, "OR")


@dataclass(frozen=True)
class Not:
    """True when its child is false (including a comparison on a missing metric or tag)."""

    child: Node


Node = Leaf | And | Or | Not


def _check_group(children: tuple[Node, ...], name: str) -> None:
    if not isinstance(children, tuple) or not children:
        raise InvalidInput(f"an {name} group needs at least one condition", code=BAD_FILTER)


def leaf(field: Field, op: Op, raw: object = None) -> Leaf:
    """A leaf comparing ``field`` with ``raw`` read as the field's kind (app.search.values)."""
    return Leaf(field, op, values.coerce(field, op, raw))


def normalize(node: Node) -> Node:
    """The same filter with nested AND/AND and OR/OR flattened, one-child groups dropped and
    NOT NOT removed (two-valued, so it changes no answer)."""
    if isinstance(node, Leaf):
        return node
    if isinstance(node, Not):
        child = normalize(node.child)
        return child.child if isinstance(child, Not) else Not(child)
    flat: list[Node] = []
    for child in node.children:
        kid = normalize(child)
        if isinstance(kid, And | Or) and type(kid) is type(node):
            flat.extend(kid.children)
        else:
            flat.append(kid)
    if len(flat) == 1:
        return flat[0]
    return type(node)(tuple(flat))


def depth(node: Node) -> int:
    """How many and/or/not levels ``node`` nests (a leaf is 0)."""
    if isinstance(node, Leaf):
        return 0
    if isinstance(node, Not):
        return 1 + depth(node.child)
    return 1 + max(depth(child) for child in node.children)


def leaves(node: Node) -> Iterator[Leaf]:
    """Every comparison in ``node``, left to right."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from leaves(node.child)
    else:
        for child in node.children:
            yield from leaves(child)


def leaf_count(node: Node) -> int:
    """How many comparisons ``node`` holds."""
    return sum(1 for _ in leaves(node))


def check_limits(node: Node) -> Node:
    """``node`` normalized, if it nests at most MAX_DEPTH levels and has at most MAX_LEAVES
    leaves; otherwise FILTER_TOO_COMPLEX."""
    normal = normalize(node)
    leaves = leaf_count(normal)
    if leaves > MAX_LEAVES:
        raise InvalidInput(
            f"a filter has at most {MAX_LEAVES} conditions; this one has {leaves}",
            code=TOO_COMPLEX,
        )
    levels = depth(normal)
    if levels > MAX_DEPTH:
        raise InvalidInput(
            f"a filter nests AND, OR and NOT at most {MAX_DEPTH} levels deep; this one nests "
            f"{levels}",
            code=TOO_COMPLEX,
        )
    return normal
