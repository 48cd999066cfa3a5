"""Assemble the Starlette application: lifespan, routes, mounts. No logic."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, TypedDict

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from app import health, pages, rest
from app.db.database import Database
from app.db.migrate import migrate
from app.db.pool import QueryLogger, create_pool
from app.demo.load import load_if_empty
from app.errors import RegistryError
from app.fastlane import FastLane, graphql_post
from app.fastpath import FastPath, Limits
from app.graphql_http import GraphQLEndpoint
from app.limits import BodyLimit, Deadline
from app.observability import Metrics, RequestObserver
from app.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)


class Registry(Starlette):
    """Starlette with the fast lane in front of its whole middleware stack."""

    def __init__(self, lane: tuple[Settings, Metrics, FastPath | None], **kw: Any) -> None:
        self._lane = lane
        super().__init__(**kw)

    def build_middleware_stack(self) -> ASGIApp:
        settings, metrics, fastpath = self._lane
        routes = {}
        if fastpath is not None:
            routes = {
                ("POST", "/graphql"): graphql_post(fastpath),
                ("GET", "/api/models"): rest.fast_list_models(fastpath),
            }
        return FastLane(super().build_middleware_stack(), settings, metrics, routes)


class State(TypedDict):
    db: Database
    settings: Settings
    metrics: Metrics
    fastpath: FastPath | None


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
            yield {"db": db, "settings": settings, "metrics": metrics, "fastpath": fastpath}
        finally:
            await pool.close()

    routes = [
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        # Metrics follow the read rule: with REGISTRY_REQUIRE_READ_AUTH, a read token scrapes.
        Route("/metrics", rest.reading(metrics.endpoint)),
        Route(
            "/graphql",
            GraphQLEndpoint(fastpath),
            methods=["GET", "POST"],
        ),
        *rest.routes(),
        *pages.routes(),
        Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
    ]
    # Outermost first: every request is observed, even one refused for its size or time.
    middleware = [
        Middleware(
            RequestObserver, routes=routes, metrics=metrics, log_requests=settings.access_log
        ),
        *(
            [
                Middleware(
                    CORSMiddleware,
                    allow_origins=list(settings.cors_origins),
                    allow_methods=["GET", "POST"],
                    allow_headers=[
                        "authorization",
                        "content-type",
                        "idempotency-key",
                        "x-request-id",
                    ],
                    expose_headers=["x-request-id"],
                )
            ]
            if settings.cors_origins
            else []
        ),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s),
        Middleware(Deadline, seconds=settings.request_timeout_s),
    ]
    app = Registry(
        (settings, metrics, fastpath),
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={RegistryError: rest.error_response},
    )
    # A path means one thing: no redirects between /graphql and /graphql/.
    app.router.redirect_slashes = False
    return app
