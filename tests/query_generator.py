"""Random valid read queries, generated over the schema's declarations from one seed.

Every query is built from the graphql-core schema the app serves: the fields of each type,
their argument types and defaults, the Artifact interface and its implementations. Arguments
(tests.query_values) come from a seeded catalog (real version and lineage ids, title words), with
some unknown ids and, at a small rate, out-of-range values, so errors are generated too.
Selections are random subsets of fields nested a few levels, with ``__typename``, aliases,
inline and named fragments, variables and (rarely) directives. List limits are chosen so that
the server's cost estimate and response budget are rarely reached.

hypothesis-graphql is installed (schemathesis brings it), but its queries know neither the
catalog's ids nor the cost of nested lists, and shrinking is of no use to a differential test
that reports every differing query whole; a plain random.Random walk does what is needed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    parse,
)

from app.readmodel import fields as decl
from tests.query_values import CatalogIds, Values, as_json, literal

ARTIFACT_TYPES = ("Model", "Dataset", "Analysis", "Hypothesis")
# Root fields and how often each is asked; auditTrail is one the fast path always declines.
ROOTS = {
    "model": 14,
    "models": 16,
    "artifact": 8,
    "dataset": 6,
    "analysis": 6,
    "hypothesis": 5,
    "datasets": 6,
    "analyses": 5,
    "hypotheses": 4,
    "lineage": 10,
    "compareModels": 10,
    "auditTrail": 3,
}
# Fields the compiler does not cover, asked now and then so that declining is exercised.
RARE = {
    ("ModelComparison", "metadata"),
    ("ModelComparison", "trainingConfig"),
    ("ModelComparison", "trainingData"),
    ("ModelComparison", "provenance"),
    ("Model", "metricWarnings"),
}
# The compiler declines any directive; a few queries carry one.
DIRECTIVES = (" @include(if: true)", " @skip(if: false)", " @skip(if: true)")
MAX_ALIASES = 4  # the server allows 15
MAX_TOKENS = 1800  # the server allows 2,000
FAN_OUT = 3000  # estimated objects on a path past which only scalars are selected


@dataclass(frozen=True)
class Generated:
    query: str
    variables: dict[str, Any]
    roots: tuple[str, ...]  # the root fields asked, for the test's counts


@dataclass
class Document:
    """One query being built: its variables, fragments and alias count."""

    use_variables: bool
    directive: bool
    definitions: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    aliases: int = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"al{self.aliases}"


class QueryGenerator:
    """``query()`` returns the next random query; the sequence depends only on the seed."""

    def __init__(self, schema: GraphQLSchema, ids: CatalogIds, seed: int) -> None:
        self.schema = schema
        self.rng = random.Random(seed)
        self.values = Values(schema, ids, self.rng)
        self.query_type = schema.query_type
        assert self.query_type is not None

    def query(self) -> Generated:
        while True:
            generated = self._query()
            try:
                parse(generated.query, max_tokens=MAX_TOKENS)
            except GraphQLSyntaxError as exc:
                if "tokens" not in exc.message:
                    raise  # the generator wrote invalid syntax: a bug here
                continue  # too long: draw again (rare, and still deterministic)
            return generated

    def _query(self) -> Generated:
        rng = self.rng
        doc = Document(use_variables=rng.random() < 0.3, directive=rng.random() < 0.03)
        count = rng.choices((1, 2, 3), (80, 17, 3))[0]
        names = rng.choices(list(ROOTS), list(ROOTS.values()), k=count)
        parts = []
        for i, name in enumerate(names):
            alias = f"{doc.alias()}: " if name in names[:i] else ""
            parts.append(alias + self.root(doc, name))
        body = "{ " + " ".join(parts) + " }"
        if doc.definitions or rng.random() < 0.1:
            variables = f"({', '.join(doc.definitions)})" if doc.definitions else ""
            body = f"query Q{rng.randrange(1000)}{variables} {body}"
        return Generated(" ".join([body, *doc.fragments]), doc.values, tuple(names))

    # -- arguments ------------------------------------------------------------------------

    def arg(self, doc: Document, f: GraphQLField, name: str, value: Any) -> str:
        """``name: value``, the value inline or, sometimes, as a variable."""
        if not doc.use_variables or self.rng.random() < 0.5:
            return f"{name}: {literal(value)}"
        var = f"v{len(doc.definitions) + 1}"
        type_ = str(f.args[name].type)
        if self.rng.random() < 0.15:
            # Declared with a default and left out of the variables.
            doc.definitions.append(f"${var}: {type_.removesuffix('!')} = {literal(value)}")
        else:
            doc.definitions.append(f"${var}: {type_}")
            doc.values[var] = as_json(value)
        return f"{name}: ${var}"

    def args(self, doc: Document, f: GraphQLField, values: dict[str, Any]) -> str:
        given = [self.arg(doc, f, k, v) for k, v in values.items()]
        return f"({', '.join(given)})" if given else ""

    # -- the root -------------------------------------------------------------------------

    def root(self, doc: Document, name: str) -> str:
        assert self.query_type is not None
        f = self.query_type.fields[name]
        values, items = self.values.root(name)
        target = get_named_type(f.type)
        depth = self.rng.choices((1, 2, 3, 4), (20, 35, 30, 15))[0]
        return f"{name}{self.args(doc, f, values)} {self.select(doc, target, depth, items)}"

    # -- selections -----------------------------------------------------------------------

    def select(self, doc: Document, t: GraphQLNamedType, depth: int, mult: int) -> str:
        """A selection set on ``t`` nesting at most ``depth`` more levels."""
        rng = self.rng
        parts: list[str] = []
        if isinstance(t, GraphQLInterfaceType):
            parts += self.leaves(doc, t, rng.randint(0, 3))
            for impl in rng.sample(self.schema.get_possible_types(t), rng.randint(0, 2)):
                parts.append(f"... on {impl.name} {self.select(doc, impl, depth, mult)}")
            if not parts:
                parts.append("id")
        else:
            assert isinstance(t, GraphQLObjectType)
            parts += self.leaves(doc, t, rng.randint(1, 4))
            if depth > 0:
                parts += self.composites(doc, t, depth, mult)
            if not parts:
                parts.append(self.leaves(doc, t, 1)[0] if self.leaf_names(t) else "__typename")
            if t.name in ARTIFACT_TYPES and rng.random() < 0.05:
                common = self.leaves(doc, t, 2, common=True)
                parts.append(f"... on Artifact {{ {' '.join(common)} }}")
            if t.name in ARTIFACT_TYPES and rng.random() < 0.05:
                parts.append(f"... on {t.name} {{ {' '.join(self.leaves(doc, t, 2))} }}")
        if rng.random() < 0.12:
            parts.append("__typename")
        if rng.random() < 0.08 and t.name in (*ARTIFACT_TYPES, "Artifact"):
            parts.append(self.fragment(doc, t))
        rng.shuffle(parts)
        return "{ " + " ".join(parts) + " }"

    def leaf_names(self, t: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
        return [
            n
            for n, f in t.fields.items()
            # The cursors of nested lists are the resolvers' by design, and a differential
            # test of the two paths learns nothing from them (tests.test_nested_cursors).
            if is_leaf_type(get_named_type(f.type)) and not _next_cursor(t.name, n)
        ]

    def leaves(
        self,
        doc: Document,
        t: GraphQLObjectType | GraphQLInterfaceType,
        k: int,
        *,
        common: bool = False,
    ) -> list[str]:
        names = self.leaf_names(t)
        if common:
            artifact = self.schema.get_type("Artifact")
            assert isinstance(artifact, GraphQLInterfaceType)
            names = [n for n in artifact.fields if not _next_cursor(artifact.name, n)]
        chosen = self.rng.sample(names, min(k, len(names)))
        out = []
        for n in chosen:
            if doc.aliases < MAX_ALIASES and self.rng.random() < 0.03:
                n = f"{doc.alias()}: {n}"
            if doc.directive and self.rng.random() < 0.3:
                doc.directive = False
                n += self.rng.choice(DIRECTIVES)
            out.append(n)
        return out

    def composites(self, doc: Document, t: GraphQLObjectType, depth: int, mult: int) -> list[str]:
        rng = self.rng
        names = [n for n, f in t.fields.items() if not is_leaf_type(get_named_type(f.type))]
        picked = [n for n in names if rng.random() < (0.04 if (t.name, n) in RARE else 0.3)]
        if not picked and names and rng.random() < 0.7:
            common = [n for n in names if (t.name, n) not in RARE]
            picked = [rng.choice(common or names)]
        out = []
        for n in picked[:3]:
            out.append(self.composite(doc, t, n, depth, mult))
            if doc.aliases < MAX_ALIASES and rng.random() < 0.08:
                out.append(f"{doc.alias()}: {self.composite(doc, t, n, depth, mult)}")
        return out

    def composite(
        self, doc: Document, t: GraphQLObjectType, name: str, depth: int, mult: int
    ) -> str:
        f = t.fields[name]
        values: dict[str, Any] = {}
        if "limit" in f.args:
            values = self.values.nested_paging()
            mult *= max(values.get("limit", 100), 1)
        elif isinstance(get_nullable_type(f.type), GraphQLList):
            mult *= 3
        below = depth - 1 if mult <= FAN_OUT else 0
        target = get_named_type(f.type)
        return f"{name}{self.args(doc, f, values)} {self.select(doc, target, below, mult)}"

    def fragment(self, doc: Document, t: GraphQLNamedType) -> str:
        """A named fragment of scalar fields on ``t`` or on Artifact, spread here."""
        name = f"F{len(doc.fragments) + 1}"
        interface = isinstance(t, GraphQLInterfaceType)
        on = t.name if interface or self.rng.random() < 0.6 else "Artifact"
        on_type = self.schema.get_type(on)
        assert isinstance(on_type, GraphQLObjectType | GraphQLInterfaceType)
        chosen = self.rng.sample(self.leaf_names(on_type), 2)
        doc.fragments.append(f"fragment {name} on {on} {{ {' '.join(chosen)} }}")
        return f"...{name}"


def _next_cursor(type_name: str, name: str) -> bool:
    """Whether a field is the cursor after a page of a nested list."""
    declared = decl.FIELDS.get(type_name, decl.ARTIFACT).get(name)
    return isinstance(declared, decl.NextCursor)
