"""The /graphql endpoint: HTTP rules and authentication in front of Strawberry's ASGI view."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from app.auth import ANONYMOUS, Principal
from app.auth import Scope as TokenScope
from app.errors import Forbidden, RegistryError, Unauthenticated
from app.fastlane import GRAPHQL_RESPONSE, answer, is_json_media, wants_graphql_response
from app.fastpath import FastPath
from app.loaders import Loaders
from app.schema import schema
from app.schema.context import Context
from app.service import tokens
from app.settings import PROJECT_ROOT

RETRY_SOON = {"Retry-After": "1"}
GRAPHIQL_PAGE = PROJECT_ROOT / "static" / "graphiql.html"


def context_for(request: Request, principal: Principal) -> Context:
    """What resolvers see for this request."""
    db = request.state.db
    return Context(
        request=request,
        db=db,
        settings=request.state.settings,
        loaders=Loaders(db, request.state.settings.max_response_objects),
        principal=principal,
    )


# How a coded GraphQL error maps to an HTTP status when a REST route runs a query.
STATUS_OF_CODE = {
    "BAD_USER_INPUT": 400,
    "NOT_FOUND": 404,
    "SERVICE_UNAVAILABLE": 503,
    "STATEMENT_TIMEOUT": 503,
    "RESPONSE_TOO_LARGE": 400,
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


class _SubResponse(Response):
    """Strawberry's per-request response holder, with the request it belongs to."""

    request: Request


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A GraphQL-shaped error body for a request refused before execution."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _is_mutation_over_get(request: Request) -> bool:
    query = request.query_params.get("query")
    if not query:
        return False
    try:
        operation = get_operation_ast(parse(query), request.query_params.get("operationName"))
    except GraphQLError:
        return False
    return operation is not None and operation.operation is not OperationType.QUERY


def _refusal(request: Request) -> Response | None:
    """Refuse what must never reach execution: wrong method or type, or GET mutations."""
    if request.method == "GET":
        if _is_mutation_over_get(request):
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
        response = _refusal(request) or await self._authenticate(request)
        if response is None:
            response = await self._fast(request)
        if response is None:
            try:
                response = await self.run(request)
            except HTTPException as exc:
                # Malformed JSON, a missing query, non-object variables, batches...
                response = error_response(exc.status_code, "BAD_REQUEST", exc.reason)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub = _SubResponse()
        sub.status_code = None  # type: ignore[assignment]
        del sub.headers["content-length"]
        assert isinstance(request, Request)
        sub.request = request
        return sub

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = await super().process_result(request, result)
        errors = cast(list[dict[str, Any]], data.get("errors") or [])
        codes = {e.get("extensions", {}).get("code") for e in errors}
        # Field errors have a path; errors without one stopped the request before execution.
        request_error = (
            bool(errors) and data.get("data") is None and not any("path" in e for e in errors)
        )
        status = 200
        if "SERVICE_UNAVAILABLE" in codes:
            status = 503
        elif request_error and wants_graphql_response(request.headers.get("accept", "")):
            status = 400
            data.pop("data", None)
        request.state.graphql_status = status
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(sub_response, _SubResponse):
            request = sub_response.request
            status = getattr(request.state, "graphql_status", 200)
            response.status_code = status
            if status == 503:
                response.headers["retry-after"] = "1"
            if wants_graphql_response(request.headers.get("accept", "")):
                response.headers["content-type"] = GRAPHQL_RESPONSE + "; charset=utf-8"
        return response

    async def _fast(self, request: Request) -> Response | None:
        """Answer from one compiled SQL statement when the query allows it."""
        if self.fastpath is None:
            return None
        if request.method == "POST":
            try:
                body = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                return None
        else:
            body = dict(request.query_params)
            if "variables" in body:
                try:
                    body["variables"] = orjson.loads(body["variables"])
                except orjson.JSONDecodeError:
                    return None
        state = request.state
        found = await answer(self.fastpath, state.db, body, request.headers.get("accept", ""))
        if found is None:
            return None
        if found.operation:
            request.scope["state"]["graphql_operation"] = found.operation
            state.metrics.operation(found.operation)
        headers = {k.decode(): v.decode() for k, v in found.headers}
        return Response(found.content, found.status, headers, media_type=found.media_type)

    async def _authenticate(self, request: Request) -> Response | None:
        authorization = request.headers.get("authorization")
        try:
            if authorization is None:
                principal = tokens.ANONYMOUS
            else:
                principal = await request.state.db.run(
                    lambda conn: tokens.authenticate(conn, authorization), retry=True
                )
            shows_graphiql = request.method == "GET" and "query" not in request.query_params
            if request.state.settings.require_read_auth and not shows_graphiql:
                tokens.require_scope(principal, TokenScope.READ)
        except RegistryError as exc:
            if exc.http_status >= 500:
                # The database failed, not the token: a retryable 503, never a 401.
                return error_response(exc.http_status, exc.code, exc.message, RETRY_SOON)
            status = 403 if isinstance(exc, Forbidden) else 401
            headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
            return error_response(status, exc.code, exc.message, headers)
        request.state.principal = principal
        return None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request)
        db = request.state.db
        return Context(
            request=request,
            db=db,
            settings=request.state.settings,
            loaders=Loaders(db, request.state.settings.max_response_objects),
            principal=request.state.principal,
        )

    @cached_property
    def _graphiql_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)
