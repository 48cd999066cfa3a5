"""Answer common read queries with one SQL statement that builds the JSON in PostgreSQL.

The regular resolvers remain the reference: a query is answered here only when it is a
valid query that the compiler fully understands; everything else, and every error, goes
through Strawberry. Tests compare both paths on the same questions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType
from graphql.execution.values import get_variable_values

from app.caches import ByteBoundedCache
from app.db.database import Database
from app.repo.compiled import fetch_json, finish
from app.repo.compiled.render import TooWide
from app.repo.compiled.roots import render
from app.schema import documents, schema
from app.schema.budget import count_objects, estimate
from app.schema.plan_lists import Unsupported
from app.schema.plans import Planner

log = logging.getLogger(__name__)

# Compiled statements are a few KB; the key holds the query text and its variables, so
# requests with large variables are compiled every time instead of crowding others out.
CACHE_BYTES = 16 * 1024 * 1024
CACHE_ENTRY_BYTES = 256 * 1024
SMALL_VARIABLES = 4096  # bytes of serialised variables keyed as they are


@dataclass(frozen=True)
class Compiled:
    statement: str
    params: tuple[Any, ...]
    label: str
    finishers: tuple[finish.Finisher | finish.Cursors, ...] = ()


@dataclass(frozen=True)
class Limits:
    max_query_cost: int
    max_response_objects: int


class FastPath:
    """Compiled statements cached per process, bounded in bytes."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._compiled: ByteBoundedCache[tuple[str, str | None, bytes], Compiled | None] = (
            ByteBoundedCache(CACHE_BYTES, CACHE_ENTRY_BYTES)
        )

    def compile(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> Compiled | None:
        """SQL, parameters and an operation label, or None when the resolvers must answer.

        The same query with the same variables compiles to the same statement, so the result
        is cached. Small variable sets are part of the key as they are; in a large one only
        the variables the operation declares count (a megabyte of undeclared padding must
        not make a new entry per request).
        """
        try:
            values = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None
        key = (query, operation_name, values)
        if len(values) <= SMALL_VARIABLES:
            found, cached = self._compiled.get(key)
            if found:
                return cached
        prepared = documents.prepared(query)
        if prepared is None or prepared.errors:
            return None
        operation = prepared.operation(operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        given = variables or {}
        declared = {
            d.variable.name.value: given[d.variable.name.value]
            for d in operation.variable_definitions or ()
            if d.variable.name.value in given
        }
        if len(values) > SMALL_VARIABLES:
            values = orjson.dumps(declared, option=orjson.OPT_SORT_KEYS)
            key = (query, operation_name, values)
            found, cached = self._compiled.get(key)
            if found:
                return cached
        compiled = self._compile(prepared, operation, declared)
        weight = len(query) + len(values) + (len(compiled.statement) if compiled else 0)
        self._compiled.put(key, compiled, 2 * weight)
        return compiled

    def _compile(
        self,
        prepared: documents.Prepared,
        operation: Any,
        variables: dict[str, Any],
    ) -> Compiled | None:
        coerced = get_variable_values(
            schema._schema, operation.variable_definitions or (), variables
        )
        if isinstance(coerced, list):
            return None
        found = estimate(schema._schema, operation, prepared.fragments, coerced.coerced)
        if found > self.limits.max_query_cost:
            return None
        planner = Planner(schema._schema, prepared.fragments, coerced)
        try:
            statement, params, finishers = render(planner.read(operation.selection_set))
        except (Unsupported, TooWide):
            return None
        roots = sorted(
            {s.name.value for s in operation.selection_set.selections if hasattr(s, "name")}
        )
        return Compiled(statement, params, f"query {','.join(roots)}"[:120], finishers)

    async def execute(
        self,
        db: Database,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> tuple[str, str] | None:
        """The response's ``data`` as JSON text and the operation label, or None to fall back."""
        compiled = self.compile(query, variables, operation_name)
        if compiled is None:
            return None
        data = await db.read(lambda conn: fetch_json(conn, compiled.statement, compiled.params))
        if data is None:
            return None  # a guard failed: the resolvers answer, with the right error
        if compiled.finishers:
            answer = orjson.loads(data)
            try:
                finish.apply(answer, compiled.finishers)
            except finish.Refused:
                return None  # the resolvers answer, with the rule's error
            data = orjson.dumps(answer).decode()
        budget = self.limits.max_response_objects
        # Each object opens one brace, so the brace count bounds the object count from above.
        if data.count("{") > budget and count_objects(orjson.loads(data)) > budget:
            return None  # the resolvers produce the budget error
        return data, compiled.label
