"""At most N objects per response: estimated before execution, counted after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

CODE = "RESPONSE_TOO_LARGE"


def _limit(field: FieldNode, variables: dict[str, Any]) -> int:
    for arg in field.arguments or ():
        if arg.name.value != "limit":
            continue
        if isinstance(arg.value, IntValueNode):
            return max(int(arg.value.value), 1)
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
            return value if isinstance(value, int) and value > 0 else 1
    return 1


def estimate(
    selections: SelectionSetNode,
    variables: dict[str, Any],
    fragments: dict[str, FragmentDefinitionNode],
    factor: int = 1,
    seen: frozenset[str] = frozenset(),
) -> int:
    """Objects a selection may return: a field with ``limit: n`` multiplies what is below it."""
    total = 0
    for sel in selections.selections:
        if isinstance(sel, FieldNode) and sel.selection_set:
            below = factor * _limit(sel, variables)
            total += factor + estimate(sel.selection_set, variables, fragments, below, seen)
        elif isinstance(sel, InlineFragmentNode):
            total += estimate(sel.selection_set, variables, fragments, factor, seen)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
            fragment = fragments.get(sel.name.value)
            if fragment:
                names = seen | {sel.name.value}
                total += estimate(fragment.selection_set, variables, fragments, factor, names)
    return total


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


def too_large(budget: int, found: int, before: bool) -> GraphQLError:
    when = "may return" if before else "returned"
    return GraphQLError(
        f"this query {when} {found} objects; the limit is {budget} objects per response "
        "(MAX_RESPONSE_OBJECTS)",
        extensions={"code": CODE, "limit": "MAX_RESPONSE_OBJECTS", "budget": budget},
    )


class ResponseBudget(SchemaExtension):
    """Reject queries whose paged lists alone could pass the budget; cut results that do.

    Runs after PreparedDocuments, whose validation result it extends.
    """

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if ctx.pre_execution_errors == [] and document is not None:
            budget: int = ctx.context.settings.max_response_objects
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            for op in document.definitions:
                if isinstance(op, OperationDefinitionNode):
                    found = estimate(op.selection_set, ctx.variables or {}, fragments)
                    if found > budget:
                        ctx.pre_execution_errors = [too_large(budget, found, before=True)]
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        budget: int = ctx.context.settings.max_response_objects
        result = ctx.result
        if result is not None and result.data is not None:
            found = count_objects(result.data)
            if found > budget:
                result.data = None
                result.errors = [*(result.errors or []), too_large(budget, found, before=False)]
