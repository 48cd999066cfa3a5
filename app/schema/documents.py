"""Parse and validate each distinct query text once; only the object budget depends on variables.

Strawberry would parse and validate every request again, which costs more than executing a
typical query. The limits are checked first, in one linear pass (app.schema.complexity), so a
document that expands exponentially is refused before the validation rules walk it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
    specified_rules,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from app.caches import ByteBoundedCache
from app.schema import complexity

MAX_TOKENS = 2000
# A parsed document holds about 70 bytes per character of its text (nodes, locations, the
# source); the cache is weighed with that, and texts past ~30 KB are not kept.
BYTES_PER_CHAR = 70
CACHE_BYTES = 32 * 1024 * 1024
CACHE_ENTRY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Prepared:
    """A parsed document, its validation errors, and its operations and fragments by name."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation a request names, or its only one."""
        if name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return self.operations.get(name)


CACHE: ByteBoundedCache[str, Prepared | None] = ByteBoundedCache(CACHE_BYTES, CACHE_ENTRY_BYTES)


# The last document too heavy for the cache: one request asks for it several times (the fast
# path, the endpoint, the execution), and should parse it once.
_last: tuple[str, Prepared | None] | None = None


def prepared(query: str) -> Prepared | None:
    """The prepared document of a query text, or None when it does not parse."""
    global _last
    found, cached = CACHE.get(query)
    if found:
        return cached
    if _last is not None and _last[0] == query:
        return _last[1]
    result = _prepare(query)
    if not CACHE.put(query, result, BYTES_PER_CHAR * len(query)):
        _last = (query, result)
    return result


def _prepare(query: str) -> Prepared | None:
    from app.schema import schema  # the schema imports this module

    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None  # Strawberry parses it again and reports the error
    errors = complexity.check(document)
    if not errors:
        errors = validate_document(schema._schema, document, specified_rules)
    return Prepared(
        document,
        tuple(errors),
        {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        },
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)},
    )


class PreparedDocuments(SchemaExtension):
    """Hand Strawberry the cached document and validation result of the query text."""

    _prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query is not None:
            self._prepared = prepared(ctx.query)
            if self._prepared is not None:
                ctx.graphql_document = self._prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if self._prepared is not None and ctx.graphql_document is self._prepared.document:
            ctx.pre_execution_errors = list(self._prepared.errors)
        else:
            # Whatever Strawberry validates itself must pass the same limits first.
            assert ctx.graphql_document is not None
            errors = complexity.check(ctx.graphql_document)
            if errors:
                ctx.pre_execution_errors = errors
        yield
