"""Name each operation by its type and root fields, for logs and metrics (few labels)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


class OperationLabel(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        operation: OperationDefinitionNode | None = None
        if document is not None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            named = [o for o in operations if o.name and o.name.value == ctx.operation_name]
            operation = next(iter(named or operations), None)
        if operation is not None:
            fields = sorted(
                {
                    s.name.value
                    for s in operation.selection_set.selections
                    if isinstance(s, FieldNode)
                }
            )
            label = f"{operation.operation.value} {','.join(fields)}"[:120]
            # The stack (app.http.stack) logs and counts it once the request is answered.
            ctx.context.request.scope.setdefault("state", {})["graphql_operation"] = label
        yield
