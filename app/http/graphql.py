"""The /graphql endpoint: GraphQL over HTTP, the caller and its scopes, then execution.

The endpoint parses requests itself (strictly: UTF-8 JSON objects with a string ``query``),
checks each mutation's scope before anything runs, answers from one compiled statement when
the fast path can (a decision made here, for every caller alike), and otherwise executes the
schema. Strawberry's view serves only GraphiQL and WebSocket connections (subscriptions,
app.http.subscriptions).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any, cast

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType as Operation

from app.auth import ANONYMOUS, Principal
from app.auth import Scope as TokenScope
from app.db import positions
from app.errors import RegistryError, Unauthenticated, code
from app.http import auth
from app.http.responses import (
    GRAPHQL_PATH,
    GRAPHQL_RESPONSE,
    error_response,
    for_exception,
    headers_of,
    is_json_media,
    wants_graphql_response,
)
from app.http.subscriptions import SubscriptionHandler
from app.schema import documents, schema
from app.schema.context import Context
from app.schema.execute import context_for
from app.schema.fastpath import FastPath
from app.schema.mutation import SCOPES, root_fields
from app.service import tokens
from app.settings import PROJECT_ROOT

GRAPHIQL_PAGE = PROJECT_ROOT / "static" / "graphiql.html"
# A WebSocket connection that has not said connection_init by then is closed (4408).
CONNECTION_INIT_WAIT = timedelta(seconds=10)
JSON = "application/json"
log = logging.getLogger(__name__)


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


def refuse(code: str, message: str, **headers: str) -> Response:
    response = error_response(GRAPHQL_PATH, code, message)
    response.headers.update(headers)
    return response


def _header(scope: Scope, name: bytes) -> str:
    """A request header's value ('' when absent), read straight from the ASGI scope."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _dumps(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # integers past 64 bits in a JSON value
        return json.dumps(body).encode()


class GraphQLEndpoint(GraphQL[Context, None]):
    """POST runs queries and mutations; GET runs queries only, or shows GraphiQL to a browser;
    a WebSocket connection runs subscriptions."""

    graphql_transport_ws_handler_class = SubscriptionHandler

    def __init__(self, fastpath: FastPath | None = None) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_WAIT,
            # SubscriptionHandler counts them, and answers with a code.
            max_subscriptions_per_connection=None,
        )
        self.fastpath = fastpath

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.respond(request)
        except RegistryError as exc:
            response = for_exception(GRAPHQL_PATH, exc)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The whole HTTP exchange of one GraphQL request."""
        scope = request.scope
        accept = _header(scope, b"accept")
        if scope["method"] == "POST":
            if not is_json_media(_header(scope, b"content-type")):
                # Refusing form and text bodies keeps cross-site pages from posting here.
                return refuse("UNSUPPORTED_MEDIA_TYPE", "POST bodies must be application/json")
            # The stack read the body whole already (app.http.stack).
            body = scope["state"].get("body") or await request.body()
            params = {}
        elif scope["method"] == "GET":
            params = dict(request.query_params)
            if "query" not in params and "text/html" in accept:
                return await self.render_graphql_ide(request)
            body = b""
        else:
            return refuse("METHOD_NOT_ALLOWED", "use GET or POST", Allow="GET, POST")
        try:
            parsed = parse_request(scope["method"], body, params)
        except BadRequest as exc:
            return refuse("BAD_REQUEST", str(exc))
        prepared = documents.prepared(parsed.query)
        operation = prepared.operation(parsed.operation_name) if prepared else None
        kind = operation.operation if operation is not None else None
        if scope["method"] == "GET" and kind not in (None, OperationType.QUERY):
            return refuse("METHOD_NOT_ALLOWED", "mutations need POST", Allow="POST")
        principal = await auth.reader(request)
        if kind is OperationType.MUTATION:
            assert operation is not None and prepared is not None
            # What a mutation reads (its checks, then its answer) must be what it writes on.
            request.scope["state"]["db"].primary_only = True
            for field in root_fields(operation, prepared.fragments):
                if not field.startswith("__"):
                    tokens.require_scope(principal, SCOPES.get(field, TokenScope.ADMIN))
        else:
            fast = await self._fast(request, parsed, accept)
            if fast is not None:
                return fast
        return await self._execute(request, parsed, principal, accept)

    async def _fast(self, request: Request, parsed: GraphQLRequest, accept: str) -> Response | None:
        """The answer of one compiled SQL statement, when the query allows it."""
        if self.fastpath is None:
            return None
        try:
            answered = await self.fastpath.execute(
                request.scope["state"]["db"], parsed.query, parsed.variables, parsed.operation_name
            )
        except RegistryError as exc:  # the database failed: answered as execution would
            status = code(exc.code).graphql_status
            error = {"message": exc.message, "extensions": {"code": exc.code}}
            body = {"data": None, "errors": [error]} if status == 200 else {"errors": [error]}
            return Response(orjson.dumps(body), status, headers_of(exc.code), media_type=JSON)
        except Exception:
            # The resolvers answer instead, and report whatever went wrong properly.
            log.exception("fast path failed; falling back to the resolvers")
            return None
        if answered is None:
            return None
        data, label = answered
        request.scope["state"]["graphql_operation"] = label
        media = GRAPHQL_RESPONSE if wants_graphql_response(accept) else "application/json"
        return Response(b'{"data":' + data.encode() + b"}", 200, media_type=media)

    async def _execute(
        self, request: Request, parsed: GraphQLRequest, principal: Principal, accept: str
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
            return refuse("GRAPHQL_VALIDATION_FAILED", message)
        data = cast(dict[str, Any], process_result(result))
        written = request.scope["state"]["db"].written
        if written is not None:
            # Also in the X-Registry-Position header (app.http.stack), for clients that read
            # only the body.
            data["extensions"] = {
                **data.get("extensions", {}),
                "position": positions.render(written),
            }
        errors = cast(list[dict[str, Any]], data.get("errors") or [])
        codes = {e.get("extensions", {}).get("code") for e in errors}
        # Field errors have a path; errors without one stopped the request before execution.
        request_error = (
            bool(errors) and data.get("data") is None and not any("path" in e for e in errors)
        )
        status, headers = 200, {}
        if "SERVICE_UNAVAILABLE" in codes:
            status, headers = 503, headers_of("SERVICE_UNAVAILABLE")
        elif request_error and wants_graphql_response(accept):
            status = 400
            data.pop("data", None)
        media = GRAPHQL_RESPONSE if wants_graphql_response(accept) else "application/json"
        return Response(_dumps(data), status, headers, media_type=media)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            return context_for(request, ANONYMOUS)  # the caller is known at connection_init
        return context_for(request, await auth.reader(request))

    async def on_ws_connect(self, context: Context) -> None:
        """Authenticate the connection with the token its connection_init carries."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        token = params.get("token")
        if isinstance(token, str):
            authorization = f"Bearer {token}"
        elif authorization is None:
            authorization = _header(context.request.scope, b"authorization") or None
        try:
            if not isinstance(authorization, str | None):
                raise Unauthenticated("Authorization must be 'Bearer <token>'")
            found = await context.db.run(
                lambda c: tokens.authenticate(c, authorization), retry=True
            )
            if context.settings.require_read_auth:
                tokens.require_scope(found, TokenScope.READ)
        except RegistryError as exc:
            raise ConnectionRejectionError({"code": exc.code, "message": exc.message}) from None
        context.principal = found
        context.connection.principal = found

    @cached_property
    def _graphiql_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)
