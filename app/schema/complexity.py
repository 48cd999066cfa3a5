"""Size, depth and aliases of a document, each fragment measured once.

A fragment spread twice in a fragment spread twice... doubles per level, so a walk that expands
spreads per path costs 2^k for a document of k lines. Here every fragment's measures are
computed once and reused wherever it is spread, so the work is linear in the document's size,
and a document whose expansion is too large is refused before validation walks it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_DEPTH = 10
MAX_ALIASES = 15
# Fields of the document with every fragment spread expanded in place. Without fragments a
# document of MAX_TOKENS tokens holds at most ~2,000 fields; this leaves room to reuse them.
MAX_EXPANDED_FIELDS = 5_000
# Fields of one selection set (inline fragments included) that share a response key.
# Validation compares such fields pairwise, so a few hundred repeats would cost seconds.
MAX_REPEATED_KEY = 20
# Expanded counts grow exponentially; past this they are all "too many" and stay small ints.
_CAP = 10**9

TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class Measure:
    """What a selection set expands to."""

    fields: int  # field nodes, fragments expanded
    depth: int  # nested selection sets, as the depth limit counts them
    aliases: int  # aliased fields, fragments expanded
    repeats: int  # the most fields any selection set below holds under one response key


_EMPTY = Measure(0, 0, 0, 0)


class Measurer:
    """Measures selection sets of one document; ``visited`` counts the nodes it looked at."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.visited = 0
        self._done: dict[str, Measure] = {}
        self._open: set[str] = set()

    def fragment(self, name: str) -> Measure:
        done = self._done.get(name)
        if done is not None:
            return done
        definition = self.fragments.get(name)
        if definition is None or name in self._open:
            return _EMPTY  # unknown or cyclic: validation reports it
        self._open.add(name)
        measure = self.selections(definition.selection_set)
        self._open.discard(name)
        self._done[name] = measure
        return measure

    def selections(self, node: SelectionSetNode) -> Measure:
        """The measures of a selection set and of everything below it."""
        keys: Counter[str] = Counter()
        measure = self._selections(node, keys)
        most = max(keys.values(), default=0)
        return measure if most <= measure.repeats else replace(measure, repeats=most)

    def _selections(self, node: SelectionSetNode, keys: Counter[str]) -> Measure:
        """Measures, with the response keys of this set's fields (inline fragments too) counted."""
        fields = depth = aliases = repeats = 0
        for sel in node.selections:
            self.visited += 1
            if isinstance(sel, FieldNode):
                fields += 1
                aliases += sel.alias is not None
                keys[(sel.alias or sel.name).value] += 1
                # Introspection fields do not count towards the depth (GraphiQL's schema
                # query is deeper than any catalog query needs to be).
                if sel.selection_set is not None:
                    inner = self.selections(sel.selection_set)
                    fields += inner.fields
                    aliases += inner.aliases
                    repeats = max(repeats, inner.repeats)
                    if not sel.name.value.startswith("__"):
                        depth = max(depth, 1 + inner.depth)
                continue
            if isinstance(sel, InlineFragmentNode):
                inner = self._selections(sel.selection_set, keys)
            elif isinstance(sel, FragmentSpreadNode):
                # Validation compares a spread's fields as one fragment (cached per pair of
                # fragments), so they do not add to this set's repeats.
                inner = self.fragment(sel.name.value)
            else:
                continue
            fields, aliases = fields + inner.fields, aliases + inner.aliases
            depth, repeats = max(depth, inner.depth), max(repeats, inner.repeats)
        return Measure(min(fields, _CAP), depth, min(aliases, _CAP), repeats)


def check(document: DocumentNode) -> list[GraphQLError]:
    """The document's size, depth and alias errors, found in one linear pass."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measurer = Measurer(fragments)
    errors: list[GraphQLError] = []
    for op in document.definitions:
        if not isinstance(op, OperationDefinitionNode):
            continue
        m = measurer.selections(op.selection_set)
        name = op.name.value if op.name else "anonymous"
        found = "more than a billion" if m.fields >= _CAP else str(m.fields)
        too_complex = [
            (m.fields, MAX_EXPANDED_FIELDS, f"expands to {found} fields through its fragments"),
            (m.repeats, MAX_REPEATED_KEY, f"selects one response key {m.repeats} times"),
        ]
        for value, limit, what in too_complex:
            if value > limit:
                return [
                    GraphQLError(
                        f"'{name}' {what}; the limit is {limit}",
                        [op],
                        extensions={"code": TOO_COMPLEX, "limit": limit},
                    )
                ]
        if m.depth > MAX_DEPTH:
            errors.append(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}", [op])
            )
        if m.aliases > MAX_ALIASES:
            errors.append(
                GraphQLError(f"{m.aliases} aliases found; the limit is {MAX_ALIASES} aliases", [op])
            )
    return errors
