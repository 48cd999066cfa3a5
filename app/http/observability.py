"""Request ids, one JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

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


class Metrics:
    """The app's Prometheus registry: one per app, so tests can build many apps."""

    def __init__(self) -> None:
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
        self.pool_size = Gauge(
            "db_pool_connections", "Open pool connections.", registry=self.registry
        )
        self.pool_idle = Gauge(
            "db_pool_idle_connections", "Idle pool connections.", registry=self.registry
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

    def watch_pool(self, pool: asyncpg.Pool) -> None:
        self.pool_size.set_function(pool.get_size)
        self.pool_idle.set_function(pool.get_idle_size)

    async def endpoint(self, request: Request) -> Response:
        """GET /metrics in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
