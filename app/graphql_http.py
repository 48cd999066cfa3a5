"""The /graphql endpoint: Strawberry's ASGI view with our context and offline GraphiQL."""

from __future__ import annotations

from functools import cached_property

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.loaders import Loaders
from app.schema import schema
from app.schema.context import Context
from app.settings import PROJECT_ROOT

GRAPHIQL_PAGE = PROJECT_ROOT / "static" / "graphiql.html"


class GraphQLEndpoint(GraphQL[Context, None]):
    """POST runs queries; GET runs queries only, or shows GraphiQL to a browser."""

    def __init__(self) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request)
        pool = request.state.pool
        return Context(
            request=request, pool=pool, settings=request.state.settings, loaders=Loaders(pool)
        )

    @cached_property
    def _graphiql_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)
