"""The /graphql endpoint: HTTP rules and authentication in front of Strawberry's ASGI view."""

from __future__ import annotations

from functools import cached_property

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.auth import Scope as TokenScope
from app.errors import Forbidden, RegistryError, Unauthenticated
from app.loaders import Loaders
from app.schema import schema
from app.schema.context import Context
from app.service import tokens
from app.settings import PROJECT_ROOT

GRAPHIQL_PAGE = PROJECT_ROOT / "static" / "graphiql.html"
MAX_BODY_BYTES = 1024 * 1024
JSON_TYPES = ("application/json", "application/graphql-response+json")


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
    """Refuse what must never reach execution: wrong method, type, size, or GET mutations."""
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
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        # Refusing form and text bodies keeps cross-site pages from posting here.
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "POST bodies must be application/json")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return error_response(
            413, "PAYLOAD_TOO_LARGE", f"bodies are limited to {MAX_BODY_BYTES} bytes"
        )
    return None


class GraphQLEndpoint(GraphQL[Context, None]):
    """POST runs queries and mutations; GET runs queries only, or shows GraphiQL to a browser."""

    def __init__(self) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            refused = _refusal(request) or await self._authenticate(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

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
            loaders=Loaders(db),
            principal=request.state.principal,
        )

    @cached_property
    def _graphiql_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)
