"""Answer common read queries with one SQL statement that builds the JSON in PostgreSQL.

The regular resolvers remain the reference: a query is answered here only when it is a
valid query that the compiler fully understands; everything else, and every error, goes
through Strawberry. Tests compare both paths on the same questions.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.values import get_variable_values

from app.db.database import Database
from app.repo.compiled import fetch_json
from app.repo.compiled.query import Compiler, Unsupported
from app.schema import documents, schema
from app.schema.budget import count_objects, estimate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Compiled:
    statement: str
    params: tuple[Any, ...]
    label: str


@dataclass(frozen=True)
class Prepared:
    """A parsed, validated document; None fields mean 'not for the fast path'."""

    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]


class FastPath:
    """Caches of prepared documents and compiled statements, per process."""

    def __init__(self, size: int = 512) -> None:
        self._documents: OrderedDict[str, Prepared | None] = OrderedDict()
        self._compiled: OrderedDict[tuple[str, str | None, bytes, int], Compiled | None] = (
            OrderedDict()
        )
        self._size = size

    def prepare(self, query: str) -> Prepared | None:
        cached = self._documents.get(query, ...)
        if cached is not ...:
            self._documents.move_to_end(query)
            return cached
        prepared = self._prepare(query)
        self._documents[query] = prepared
        if len(self._documents) > self._size:
            self._documents.popitem(last=False)
        return prepared

    @staticmethod
    def _prepare(query: str) -> Prepared | None:
        document = documents.parsed(query)
        if document is None or documents.validation_errors(query):
            return None
        operations = {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return Prepared(operations, fragments)

    def compile(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, budget: int
    ) -> Compiled | None:
        """SQL, parameters and an operation label, or None when the resolvers must answer.

        The same query with the same variables compiles to the same statement, so the
        result is cached.
        """
        try:
            key = (
                query,
                operation_name,
                orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
                budget,
            )
        except TypeError:
            return None
        cached = self._compiled.get(key, ...)
        if cached is not ...:
            self._compiled.move_to_end(key)
            return cached
        compiled = self._compile(query, variables, operation_name, budget)
        self._compiled[key] = compiled
        if len(self._compiled) > self._size:
            self._compiled.popitem(last=False)
        return compiled

    def _compile(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, budget: int
    ) -> Compiled | None:
        prepared = self.prepare(query)
        if prepared is None:
            return None
        if operation_name is None and len(prepared.operations) == 1:
            operation = next(iter(prepared.operations.values()))
        else:
            operation = prepared.operations.get(operation_name)  # type: ignore[assignment]
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        coerced = get_variable_values(
            schema._schema, operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None
        if estimate(operation.selection_set, coerced.coerced, prepared.fragments) > budget:
            return None
        compiler = Compiler(schema._schema, prepared.fragments, coerced)
        try:
            statement = compiler.root(operation.selection_set)
        except Unsupported:
            return None
        roots = sorted(
            {s.name.value for s in operation.selection_set.selections if hasattr(s, "name")}
        )
        return Compiled(statement, tuple(compiler.params), f"query {','.join(roots)}"[:120])

    async def execute(
        self,
        db: Database,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        budget: int,
    ) -> tuple[str, str] | None:
        """The response's ``data`` as JSON text and the operation label, or None to fall back."""
        compiled = self.compile(query, variables, operation_name, budget)
        if compiled is None:
            return None
        data = await db.run(
            lambda conn: fetch_json(conn, compiled.statement, compiled.params), retry=True
        )
        if data is None:
            return None  # a guard failed: the resolvers answer, with the right error
        # Each object opens one brace, so the brace count bounds the object count from above.
        if data.count("{") > budget and count_objects(orjson.loads(data)) > budget:
            return None  # the resolvers produce the budget error
        return data, compiled.label
