"""The /graphql endpoint: GraphQL over HTTP, authentication and scopes, then execution.

The endpoint parses requests itself (strictly: UTF-8 JSON objects with a string ``query``),
checks each mutation's scope before anything runs, answers from the compiled fast path when
it can, and otherwise executes the schema. Strawberry's view serves only GraphiQL and, later,
WebSocket connections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types.graphql import OperationType as Operation

from app.auth import ANONYMOUS, Principal
from app.auth import Scope as TokenScope
from app.errors import Forbidden, RegistryError, Unauthenticated
from app.fastlane import GRAPHQL_RESPONSE, answer, is_json_media, wants_graphql_response
from app.fastpath import FastPath
from app.loaders import Loaders
from app.schema import documents, schema
from app.schema.context import Context
from app.schema.mutation import SCOPES, root_fields
from app.service import tokens
from app.settings import PROJECT_ROOT

RETRY_SOON = {"Retry-After": "1"}
GRAPHIQL_PAGE = PROJECT_ROOT / "static" / "graphiql.html"


def context_for(request: Request, principal: Principal) -> Context:
    """What resolvers see for this request."""
    db = request.state.db
    settings = request.state.settings
    return Context(
        request=request,
        db=db,
        settings=settings,
        loaders=Loaders(db, settings.max_response_objects),
        principal=principal,
    )


# How a coded GraphQL error maps to an HTTP status when a REST route runs a query.
STATUS_OF_CODE = {
    "BAD_USER_INPUT": 400,
    "NOT_FOUND": 404,
    "SERVICE_UNAVAILABLE": 503,
    "STATEMENT_TIMEOUT": 503,
    "RESPONSE_TOO_LARGE": 400,
    "QUERY_TOO_COMPLEX": 400,
}


async def run_query(request: Request, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Answer a read query for a REST route: compiled when possible, else by the resolvers."""
    fastpath: FastPath | None = request.state.fastpath
    if fastpath is not None:
        answered = await fastpath.execute(request.state.db, query, variables, None)
        if answered is not None:
            data: dict[str, Any] = orjson.loads(answered[0])
            return data
    result = await schema.execute(
        query, variable_values=variables, context_value=context_for(request, ANONYMOUS)
    )
    if result.errors:
        first = result.errors[0]
        code = (first.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
        error = RegistryError(first.message, code=code)
        error.http_status = STATUS_OF_CODE.get(code, 500)
        raise error
    assert result.data is not None
    return result.data


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A GraphQL-shaped error body for a request refused before execution."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class BadRequest(Exception):
    """The HTTP request is not a GraphQL request; 400 with this message."""


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _decode(raw: bytes | str, what: str) -> Any:
    try:
        # Strict: invalid UTF-8, lone surrogates and nesting past 1024 levels are refused.
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest(f"{what} is not valid JSON") from None


def parse_request(method: str, body: bytes, params: dict[str, str]) -> GraphQLRequest:
    """The query, variables and operation name of a GET or POST request; BadRequest if none."""
    if method == "GET":
        fields: Any = dict(params)
        if "variables" in fields:
            fields["variables"] = _decode(fields["variables"], "variables")
    else:
        fields = _decode(body, "the body")
        if isinstance(fields, list):
            raise BadRequest("batched requests are not supported: send one operation")
        if not isinstance(fields, dict):
            raise BadRequest("the body must be a JSON object")
    query, variables = fields.get("query"), fields.get("variables")
    name, extensions = fields.get("operationName"), fields.get("extensions")
    if not isinstance(query, str) or not query:
        raise BadRequest("no query: a GraphQL request needs a `query` string")
    if not isinstance(variables, dict | None):
        raise BadRequest("`variables` must be a JSON object")
    if not isinstance(name, str | None):
        raise BadRequest("`operationName` must be a string")
    if not isinstance(extensions, dict | None):
        raise BadRequest("`extensions` must be a JSON object")
    return GraphQLRequest(query, variables, name)


def _refusal(request: Request, operation: OperationType | None) -> Response | None:
    """Refuse what must never reach execution: wrong method or type, or GET mutations."""
    if request.method == "GET":
        if operation is not None and operation is not OperationType.QUERY:
            return error_response(
                405, "METHOD_NOT_ALLOWED", "mutations need POST", headers={"Allow": "POST"}
            )
        return None
    if request.method != "POST":
        return error_response(
            405, "METHOD_NOT_ALLOWED", "use GET or POST", headers={"Allow": "GET, POST"}
        )
    if not is_json_media(request.headers.get("content-type", "")):
        # Refusing form and text bodies keeps cross-site pages from posting here.
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "POST bodies must be application/json")
    return None


def _auth_error(exc: RegistryError) -> Response:
    if exc.http_status >= 500:
        # The database failed, not the token: a retryable 503, never a 401.
        return error_response(exc.http_status, exc.code, exc.message, RETRY_SOON)
    status = 403 if isinstance(exc, Forbidden) else 401
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return error_response(status, exc.code, exc.message, headers)


def _dumps(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # integers past 64 bits in a JSON value
        return json.dumps(body).encode()


class GraphQLEndpoint(GraphQL[Context, None]):
    """POST runs queries and mutations; GET runs queries only, or shows GraphiQL to a browser."""

    def __init__(self, fastpath: FastPath | None = None) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.fastpath = fastpath

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The whole HTTP exchange of one GraphQL request."""
        params = dict(request.query_params)
        accept = request.headers.get("accept", "")
        if request.method == "GET" and "query" not in params and "text/html" in accept:
            return await self.render_graphql_ide(request)
        refused = _refusal(request, None)
        if refused is not None:
            return refused
        try:
            parsed = parse_request(request.method, await request.body(), params)
        except BadRequest as exc:
            return error_response(400, "BAD_REQUEST", str(exc))
        prepared = documents.prepared(parsed.query)
        operation = prepared.operation(parsed.operation_name) if prepared else None
        if operation is not None:
            refused = _refusal(request, operation.operation)
            if refused is not None:
                return refused
        try:
            principal = await self._authenticate(request)
            if operation is not None and operation.operation is OperationType.MUTATION:
                for field in root_fields(operation, prepared.fragments if prepared else {}):
                    if not field.startswith("__"):
                        tokens.require_scope(principal, SCOPES.get(field, TokenScope.ADMIN))
        except RegistryError as exc:
            return _auth_error(exc)
        if operation is None or operation.operation is OperationType.QUERY:
            fast = await self._fast(request, parsed)
            if fast is not None:
                return fast
        return await self._execute(request, parsed, principal)

    async def _authenticate(self, request: Request) -> Principal:
        authorization = request.headers.get("authorization")
        principal = ANONYMOUS
        if authorization is not None:
            principal = await request.state.db.run(
                lambda conn: tokens.authenticate(conn, authorization), retry=True
            )
        if request.state.settings.require_read_auth:
            tokens.require_scope(principal, TokenScope.READ)
        request.state.principal = principal
        return principal

    async def _fast(self, request: Request, parsed: GraphQLRequest) -> Response | None:
        """Answer from one compiled SQL statement when the query allows it."""
        if self.fastpath is None:
            return None
        body = {
            "query": parsed.query,
            "variables": parsed.variables,
            "operationName": parsed.operation_name,
        }
        found = await answer(
            self.fastpath, request.state.db, body, request.headers.get("accept", "")
        )
        if found is None:
            return None
        if found.operation:
            request.scope["state"]["graphql_operation"] = found.operation
            request.state.metrics.operation(found.operation)
        headers = {k.decode(): v.decode() for k, v in found.headers}
        return Response(found.content, found.status, headers, media_type=found.media_type)

    async def _execute(
        self, request: Request, parsed: GraphQLRequest, principal: Principal
    ) -> Response:
        allowed = (
            {Operation.QUERY} if request.method == "GET" else {Operation.QUERY, Operation.MUTATION}
        )
        try:
            result = await schema.execute(
                parsed.query,
                variable_values=parsed.variables,
                context_value=context_for(request, principal),
                operation_name=parsed.operation_name,
                allowed_operation_types=allowed,
            )
        except CannotGetOperationTypeError:
            name = parsed.operation_name
            message = f"no operation named {name!r}" if name else "name the operation to run"
            return error_response(400, "GRAPHQL_VALIDATION_FAILED", message)
        data = cast(dict[str, Any], process_result(result))
        errors = cast(list[dict[str, Any]], data.get("errors") or [])
        codes = {e.get("extensions", {}).get("code") for e in errors}
        # Field errors have a path; errors without one stopped the request before execution.
        request_error = (
            bool(errors) and data.get("data") is None and not any("path" in e for e in errors)
        )
        accept = request.headers.get("accept", "")
        status, headers = 200, {}
        if "SERVICE_UNAVAILABLE" in codes:
            status, headers = 503, RETRY_SOON
        elif request_error and wants_graphql_response(accept):
            status = 400
            data.pop("data", None)
        media = GRAPHQL_RESPONSE if wants_graphql_response(accept) else "application/json"
        return Response(_dumps(data), status, headers, media_type=media)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request)
        return context_for(request, request.state.principal)

    @cached_property
    def _graphiql_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)
