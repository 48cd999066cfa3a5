"""Assemble the application: lifespan, routes, mounts, and the one stack in front. No logic."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, TypedDict

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from app.db.database import Database
from app.db.migrate import migrate
from app.db.pool import QueryLogger, create_pool
from app.demo.load import load_if_empty
from app.errors import RegistryError
from app.feed.feed import Feed
from app.http import health, pages, responses, rest
from app.http.graphql import GraphQLEndpoint
from app.http.observability import Metrics
from app.http.stack import Endpoint, Shortcut, Stack
from app.schema.fastpath import FastPath, Limits
from app.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)


class Registry(Starlette):
    """Starlette behind the one stack (app.http.stack): every request passes it first."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        shortcuts: dict[tuple[str, str], Endpoint],
        **kw: Any,
    ) -> None:
        self._front = (settings, metrics, shortcuts)
        super().__init__(**kw)

    def build_middleware_stack(self) -> ASGIApp:
        settings, metrics, shortcuts = self._front
        app: ASGIApp = Shortcut(super().build_middleware_stack(), shortcuts)
        if settings.cors_origins:
            app = CORSMiddleware(
                app,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "idempotency-key", "x-request-id"],
                expose_headers=["x-request-id"],
            )
        return Stack(app, settings, metrics)


def _registry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RegistryError)
    return responses.for_exception(request.url.path, exc)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return responses.for_http_error(
        request.method, request.url.path, exc.status_code, str(exc.detail), exc.headers
    )


def _unexpected(request: Request, exc: Exception) -> Response:
    return responses.error_response(request.url.path, "INTERNAL_SERVER_ERROR", "Unexpected error.")


class State(TypedDict):
    db: Database
    settings: Settings
    metrics: Metrics
    fastpath: FastPath | None
    feed: Feed


def create_app(
    settings: Settings,
    dsn: str,
    *,
    load_demo: bool = False,
    query_logger: QueryLogger | None = None,
) -> Registry:
    """Build the app; the lifespan opens the pool, migrates, and loads demo data if asked."""

    metrics = Metrics()
    fastpath = (
        FastPath(Limits(settings.max_query_cost, settings.max_response_objects))
        if settings.fast_path
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        pool = await create_pool(
            dsn,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_cache_size=settings.statement_cache_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            query_logger=query_logger,
        )
        db = Database(
            pool,
            acquire_timeout=settings.pool_acquire_timeout_s,
            retry_window=settings.db_retry_window_s,
            statement_timeout_ms=settings.statement_timeout_ms,
            errors=lambda kind: metrics.db_errors.labels(kind).inc(),
        )
        metrics.watch_pool(pool)
        try:
            async with pool.acquire() as conn:
                applied = await migrate(conn)
                if applied:
                    log.info("applied migrations: %s", ", ".join(applied))
                if load_demo:
                    loaded = await load_if_empty(conn)
                    if loaded:
                        log.info("loaded %d demo artifacts", loaded)
            feed = Feed(db, settings.database_direct_url or dsn, settings)
            await feed.start()
            metrics.watch_feed(lambda: feed.hub.count, lambda: feed.listener.position)
            try:
                yield {
                    "db": db,
                    "settings": settings,
                    "metrics": metrics,
                    "fastpath": fastpath,
                    "feed": feed,
                }
            finally:
                await feed.stop()
        finally:
            await pool.close()

    graphql = GraphQLEndpoint(fastpath)
    list_models = rest.reading(rest.list_models)
    routes = [
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        # Metrics follow the read rule: with REGISTRY_REQUIRE_READ_AUTH, a read token scrapes.
        Route("/metrics", rest.reading(metrics.endpoint)),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *rest.routes(list_models),
        *pages.routes(),
        Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
    ]
    app = Registry(
        settings,
        metrics,
        {("POST", "/graphql"): graphql.respond, ("GET", "/api/models"): list_models},
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            RegistryError: _registry_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    # A path means one thing: no redirects between /graphql and /graphql/.
    app.router.redirect_slashes = False
    return app
