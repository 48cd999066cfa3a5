"""Expected errors keep their stable code; everything else is masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.errors import RegistryError

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."
# graphql-core words every invalid argument or variable value with one of these.
_VALUE_ERRORS = (
    "Expected value of type",
    "cannot represent",
    "got invalid value",
    "does not exist in",
    "Variable ",
)


def _code_for_request_error(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if any(marker in error.message for marker in _VALUE_ERRORS):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def to_client_error(error: GraphQLError) -> GraphQLError:
    """The error a client sees: a code always, internals never."""
    original = error.original_error
    if isinstance(original, RegistryError):
        extensions = {"code": original.code, **original.details}
        return GraphQLError(original.message, error.nodes, path=error.path, extensions=extensions)
    if original is None:
        extensions = {"code": _code_for_request_error(error), **(error.extensions or {})}
        return GraphQLError(
            error.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions=extensions,
        )
    if isinstance(original, GraphQLError):
        return to_client_error(original)
    log.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE, error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"}
    )


class ClientErrors(SchemaExtension):
    """Rewrite every error of a result with :func:`to_client_error`."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [to_client_error(e) for e in result.errors]
