"""Bounds on the work of one request: estimated before execution, counted during and after.

Before execution, every list's bound (app.readmodel.bounds) is multiplied through the nesting of
the query, each fragment estimated once; past REGISTRY_MAX_QUERY_COST (1,000,000) the query is
refused with QUERY_TOO_COMPLEX: three levels of 100-item lists below a page cannot be answered.
The bounds are worst cases (the nested provenance of 20 models is estimated at ~800,000 objects
and usually holds a few hundred), so while the query runs the lists count what they return
(app.loaders.Allowance): batches fetch no more rows than MAX_RESPONSE_OBJECTS leaves, and the
request stops with RESPONSE_TOO_LARGE past it. The finished response is counted once more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from app.readmodel.bounds import LIST_BOUNDS, MODELS_MAX, Bound

CODE = "RESPONSE_TOO_LARGE"
TOO_COMPLEX = "QUERY_TOO_COMPLEX"
_CAP = 10**12  # estimates past this are all "too many"
_UNKNOWN = Bound(fixed=1000)  # a list missing from LIST_BOUNDS (a test fails on it)

# (the enclosing field's limit argument, models of the enclosing compareModels)
Env = tuple[int | None, int]
_ROOT: Env = (None, MODELS_MAX)


def _fields(t: GraphQLNamedType | None) -> Mapping[str, GraphQLField]:
    if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
        fields: Mapping[str, GraphQLField] = t.fields
        return fields
    return {}


class Estimator:
    """Upper bounds on the objects a selection may return; ``visited`` counts nodes seen."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.visited = 0
        self._done: dict[tuple[str, Env], int] = {}
        self._open: set[str] = set()

    def operation(self, op: OperationDefinitionNode) -> int:
        roots = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }
        return self.selections(op.selection_set, roots[op.operation], _ROOT)

    def fragment(self, name: str, env: Env) -> int:
        done = self._done.get((name, env))
        if done is not None:
            return done
        definition = self.fragments.get(name)
        if definition is None or name in self._open:
            return 0  # unknown or cyclic: validation reports it
        self._open.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        found = self.selections(definition.selection_set, parent, env)
        self._open.discard(name)
        self._done[(name, env)] = found
        return found

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType | None, env: Env) -> int:
        total = 0
        for sel in node.selections:
            self.visited += 1
            if isinstance(sel, FieldNode):
                total += self._field(sel, parent, env)
            elif isinstance(sel, InlineFragmentNode):
                condition = sel.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(sel.selection_set, inner, env)
            elif isinstance(sel, FragmentSpreadNode):
                total += self.fragment(sel.name.value, env)
            total = min(total, _CAP)
        return total

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, env: Env) -> int:
        if node.selection_set is None:
            return 0
        field = _fields(parent).get(node.name.value)
        if field is None or parent is None:
            return 1  # introspection (bounded by the schema) or invalid (validation says)
        inner_env: Env = (self._int(field, node, "limit", 0) or None, env[1])
        if node.name.value == "compareModels":
            inner_env = (inner_env[0], self._models(node))
        count = 1
        if is_list_type(get_nullable_type(field.type)):
            count = self._count(
                LIST_BOUNDS.get((parent.name, node.name.value), _UNKNOWN), field, node, env
            )
        below = self.selections(node.selection_set, get_named_type(field.type), inner_env)
        return min(count * (1 + below), _CAP)

    def _count(self, bound: Bound, field: GraphQLField, node: FieldNode, env: Env) -> int:
        if bound.content:
            return 1
        if bound.per_model:
            return bound.per_model * env[1]
        if bound.argument:
            value = self._int(field, node, bound.argument, bound.maximum)
            return min(max(value, 1), bound.maximum) * bound.times
        if bound.parent_argument:
            return min(max(env[0] or bound.maximum, 1), bound.maximum) * bound.times
        return bound.fixed

    def _value(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value != name:
                continue
            if isinstance(arg.value, VariableNode):
                return self.variables.get(arg.value.name.value)
            return arg.value
        return None

    def _int(self, field: GraphQLField, node: FieldNode, name: str, fallback: int) -> int:
        """An Int argument's value; its default when absent or invalid (execution says why)."""
        value = self._value(node, name)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        default = field.args[name].default_value if name in field.args else None
        return default if isinstance(default, int) else fallback

    def _models(self, node: FieldNode) -> int:
        value = self._value(node, "ids")
        found = len(value.values) if isinstance(value, ListValueNode) else None
        if isinstance(value, list):
            found = len({str(v) for v in value})
        return min(max(found or MODELS_MAX, 1), MODELS_MAX)


def estimate(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """Objects an operation may return at most."""
    return Estimator(schema, fragments, variables).operation(operation)


def run_with(
    schema: GraphQLSchema, operation: OperationDefinitionNode, given: dict[str, Any]
) -> Mapping[str, Any]:
    """The variables an operation runs with: those sent, and the declared defaults."""
    coerced = get_variable_values(schema, operation.variable_definitions or (), given)
    return given if isinstance(coerced, list) else coerced.coerced


def count_objects(data: Any) -> int:
    """How many objects (JSON objects) a response's data holds."""
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += 1
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


def too_complex(limit: int, found: int) -> GraphQLError:
    return GraphQLError(
        f"this query may return up to {found} objects by the bounds of its lists; the limit "
        f"is {limit} (REGISTRY_MAX_QUERY_COST): ask for smaller pages (limit arguments)",
        extensions={"code": TOO_COMPLEX, "estimate": found, "limit": limit},
    )


def too_large(budget: int, found: int) -> GraphQLError:
    return GraphQLError(
        f"this query returned more than {budget} objects; the limit is {budget} objects per "
        "response (MAX_RESPONSE_OBJECTS): ask for smaller pages (limit arguments)",
        extensions={"code": CODE, "limit": "MAX_RESPONSE_OBJECTS", "budget": budget},
    )


class ResponseBudget(SchemaExtension):
    """Refuse queries whose lists could exceed the cost limit; cut results past the budget.

    Runs after PreparedDocuments, whose validation result it extends.
    """

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if ctx.pre_execution_errors == [] and document is not None:
            limit: int = ctx.context.settings.max_query_cost
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            given = ctx.variables or {}
            others = Estimator(ctx.schema._schema, fragments, given)
            selected = get_operation_ast(document, ctx.operation_name)
            for op in document.definitions:
                if isinstance(op, OperationDefinitionNode):
                    # The operation that runs is estimated with the values it runs with, as
                    # the fast path estimates it; the others (one pass for them all) as sent.
                    estimator = others
                    if op is selected:
                        variables = run_with(ctx.schema._schema, op, given)
                        estimator = Estimator(ctx.schema._schema, fragments, variables)
                    found = estimator.operation(op)
                    if found > limit:
                        ctx.pre_execution_errors = [too_complex(limit, found)]
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        budget: int = ctx.context.settings.max_response_objects
        result = ctx.result
        if result is None:
            return
        stopped = any((e.extensions or {}).get("code") == CODE for e in result.errors or ())
        if stopped or (result.data is not None and count_objects(result.data) > budget):
            result.data = None
            others = [e for e in result.errors or () if (e.extensions or {}).get("code") != CODE]
            result.errors = [*others, too_large(budget, budget)]
