"""Assemble the application: lifespan, routes, mounts, and the one stack in front. No logic."""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import AsyncIterator
from typing import Any, TypedDict

import asyncpg
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
from app.db.pool import QueryLogger, apply_role_defaults, connect_direct, create_pool
from app.db.replicas import Replica, Replicas, replica_name
from app.demo.load import load_if_empty
from app.errors import RegistryError
from app.feed.feed import Feed
from app.http import health, pages, responses, rest
from app.http.graphql import GraphQLEndpoint
from app.http.observability import Metrics
from app.http.stack import Endpoint, Shortcut, Stack
from app.schema.fastpath import FastPath, Limits
from app.settings import PROJECT_ROOT, Settings
from app.webhooks import sender
from app.webhooks.worker import DeliveryWorker, WorkerSettings

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
                allow_headers=[
                    "authorization",
                    "content-type",
                    "idempotency-key",
                    "x-request-id",
                    "x-registry-position",
                ],
                expose_headers=["x-request-id", "x-registry-position"],
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


async def _prepare(settings: Settings, direct_dsn: str, load_demo: bool) -> None:
    """Migrate, set the role's session defaults and load the demo, all over a direct connection.

    Direct: a pooler in transaction mode would refuse the startup settings and could hand each
    migration's statements to different server connections.
    """
    conn = await connect_direct(direct_dsn, statement_timeout_ms=settings.statement_timeout_ms)
    try:
        pooled = settings.database_direct_url is not None
        if pooled and await apply_role_defaults(conn, settings.statement_timeout_ms):
            log.info("set the session defaults of the database role for pooled connections")
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        if load_demo:
            loaded = await load_if_empty(conn)
            if loaded:
                log.info("loaded %d demo artifacts", loaded)
    finally:
        await conn.close()


async def _replicas(settings: Settings, primary: asyncpg.Pool, metrics: Metrics) -> Replicas | None:
    """The replicas' pools and their poller; a replica that is down now is skipped until up."""
    if not settings.database_replica_urls:
        return None
    replicas = [
        Replica(
            replica_name(url, i),
            # min_size 0: a replica that is down must not keep the app from starting.
            await create_pool(
                url,
                min_size=0,
                max_size=settings.pool_max_size,
                statement_cache_size=settings.statement_cache_size,
                statement_timeout_ms=settings.statement_timeout_ms,
                behind_pooler=settings.database_direct_url is not None,
            ),
        )
        for i, url in enumerate(settings.database_replica_urls)
    ]
    found = Replicas(
        primary,
        replicas,
        max_lag_bytes=settings.replica_max_lag_bytes,
        poll_s=settings.replica_poll_s,
        on_state=metrics.replica_state,
    )
    await found.start()
    return found


class State(TypedDict):
    db: Database
    settings: Settings
    metrics: Metrics
    fastpath: FastPath | None
    feed: Feed
    # The change feed's listener wakes it (``wake()``) on each notification.
    webhooks: DeliveryWorker | None


def _webhook_worker(
    settings: Settings, db: Database, metrics: Metrics, trusted: ssl.SSLContext | None
) -> DeliveryWorker | None:
    if not settings.webhook_delivery:
        return None
    return DeliveryWorker(
        db,
        WorkerSettings(
            poll_s=settings.webhook_poll_s,
            timeout_s=settings.webhook_timeout_s,
            lease_s=settings.webhook_lease_s,
            max_attempts=settings.webhook_max_attempts,
            backoff_s=settings.webhook_backoff_s,
            concurrency=settings.webhook_concurrency,
            allow_private=settings.webhook_allow_private,
        ),
        lambda outcome: metrics.webhook_deliveries.labels(outcome).inc(),
        trusted,
    )


def create_app(
    settings: Settings,
    dsn: str,
    *,
    load_demo: bool = False,
    query_logger: QueryLogger | None = None,
) -> Registry:
    """Build the app; the lifespan opens the pool, migrates, and loads demo data if asked."""

    metrics = Metrics()
    # Read before anything starts: a bad REGISTRY_WEBHOOK_CA_FILE is a setting refused.
    trusted = sender.trusted(settings.webhook_ca_file) if settings.webhook_delivery else None
    fastpath = (
        FastPath(Limits(settings.max_query_cost, settings.max_response_objects))
        if settings.fast_path
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        await _prepare(settings, settings.database_direct_url or dsn, load_demo)
        pool = await create_pool(
            dsn,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_cache_size=settings.statement_cache_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            behind_pooler=settings.database_direct_url is not None,
            query_logger=query_logger,
        )
        replicas = await _replicas(settings, pool, metrics)
        db = Database(
            pool,
            acquire_timeout=settings.pool_acquire_timeout_s,
            retry_window=settings.db_retry_window_s,
            statement_timeout_ms=settings.statement_timeout_ms,
            errors=lambda kind: metrics.db_errors.labels(kind).inc(),
            replicas=replicas,
            reads=metrics.read_served,
        )
        metrics.watch_pool(pool)
        webhooks = _webhook_worker(settings, db, metrics, trusted)
        try:
            feed = Feed(db, settings.database_direct_url or dsn, settings)
            await feed.start()
            metrics.watch_feed(lambda: feed.hub.count, lambda: feed.listener.position)
            if webhooks is not None:
                worker = webhooks
                feed.listener.on_wake(lambda _: worker.wake())
                webhooks.start()
            try:
                yield {
                    "db": db,
                    "settings": settings,
                    "metrics": metrics,
                    "fastpath": fastpath,
                    "feed": feed,
                    "webhooks": webhooks,
                }
            finally:
                await feed.stop()
        finally:
            if webhooks is not None:
                await webhooks.stop()
            if replicas is not None:
                await replicas.close()
            metrics.close()
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
