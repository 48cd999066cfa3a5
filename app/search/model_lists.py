"""What a list request is as a whole: its filter tree with the list's long-standing filters
in it, the fingerprint a cursor carries, where a cursor resumes it, and whether a filter
picks few models."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.readmodel.page_sql import Order
from app.search import cursor, render
from app.search import fields as f
from app.search.cursor import Position
from app.search.tree import And, Leaf, Node, check_limits

# Leaves that pick few models wherever the catalog's size: a reference follows links to
# one artifact, an alias names a version per lineage at most.
_SELECTIVE = (f.TRAINED_ON, f.PRODUCED_BY, f.TESTS_HYPOTHESIS, f.DERIVED_FROM, f.ALIAS)


def conjoin(*nodes: Node | None) -> Node | None:
    """Every given node ANDed; None when none is given."""
    found = [n for n in nodes if n is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else And(tuple(found))


def fingerprint(tree: Node | None, order: Order, kind: str = "model") -> str:
    """The digest a cursor carries: the kind listed, the filter's canonical text and the
    order."""
    text = f"{kind}|{render.fingerprint(tree)}|{order.text}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def driven(tree: Node | None) -> bool:
    """Whether every model ``tree`` keeps satisfies a selective leaf (one at the top, or in
    a top-level AND), so that reading those few models beats walking a sort index."""
    if tree is None:
        return False
    tops = tree.children if isinstance(tree, And) else (tree,)
    return any(isinstance(t, Leaf) and t.field.spec in _SELECTIVE for t in tops)


def trained_on(tree: Node | None) -> tuple[str, Node | None] | None:
    """The reference of a trained_on leaf every model ``tree`` keeps satisfies (one at the
    top, or in a top-level AND), and the rest of ``tree``; None when there is none."""
    if tree is None:
        return None
    tops = tree.children if isinstance(tree, And) else (tree,)
    for i, t in enumerate(tops):
        if isinstance(t, Leaf) and t.field.spec is f.TRAINED_ON and isinstance(t.value, str):
            return t.value, conjoin(*tops[:i], *tops[i + 1 :])
    return None


@dataclass(frozen=True)
class Question:
    """A list request's whole filter (checked against the limits), its fingerprint, and
    the position its cursor names."""

    where: Node | None
    fingerprint: str
    after: Position | None


def question(
    nodes: tuple[Node | None, ...], order: Order, after: str | None, kind: str = "model"
) -> Question:
    """The request whose filter is ``nodes`` ANDed, in ``order``, after cursor ``after``;
    FILTER_TOO_COMPLEX past the limits, BAD_CURSOR for a cursor of another request."""
    whole = conjoin(*nodes)
    whole = None if whole is None else check_limits(whole)
    print_ = fingerprint(whole, order, kind)
    return Question(whole, print_, None if after is None else cursor.decode(after, print_))
