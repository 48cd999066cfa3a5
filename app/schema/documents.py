"""Parse and validate each distinct query text once; only the object budget depends on variables.

Strawberry would parse and validate every request again, which costs more than executing a
typical query. The limits are the same rules (depth, aliases, tokens), applied once per text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
CACHE_SIZE = 1024

RULES = (
    *specified_rules,
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


@lru_cache(maxsize=CACHE_SIZE)
def parsed(query: str) -> DocumentNode | None:
    """The document of a query text, or None when it does not parse (Strawberry reports it)."""
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None


@lru_cache(maxsize=CACHE_SIZE)
def validation_errors(query: str) -> tuple[GraphQLError, ...]:
    """The validation errors of a query text that parses."""
    from app.schema import schema  # the schema imports this module

    document = parsed(query)
    assert document is not None
    return tuple(validate_document(schema._schema, document, RULES))


class PreparedDocuments(SchemaExtension):
    """Hand Strawberry the cached document and validation result of the query text."""

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query is not None:
            document = parsed(ctx.query)
            if document is not None:
                ctx.graphql_document = document
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query is not None and ctx.graphql_document is parsed(ctx.query):
            ctx.pre_execution_errors = list(validation_errors(ctx.query))
        yield
