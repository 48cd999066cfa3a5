"""The one stack every request passes, in one pure-ASGI layer.

For each HTTP request, once: the request id (given or made, always returned), the body read
whole under its size limit and time limit, the deadline, the access log line and metrics,
and a masked 500 for anything unexpected. Then the route (CORS first, when configured): the
busiest ones (POST /graphql, GET /api/models) go straight to their endpoints (Shortcut),
everything else through Starlette's router; either way the same endpoint answers, with the
body replayed. WebSocket connections get their request id and are logged when they end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import positions
from app.db.database import Database
from app.errors import BodyTimeout, BodyTooLarge, RegistryError
from app.http import responses
from app.http.observability import Metrics, log_request, request_id_from
from app.settings import Settings

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
POSITION_HEADER = positions.HEADER.lower().encode()


class Body:
    """A request body as read so far: to check, to parse, or to hand on unchanged."""

    __slots__ = ("chunks", "complete", "size")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False

    def add(self, message: Message) -> None:
        chunk = message.get("body", b"")
        self.chunks.append(chunk)
        self.size += len(chunk)
        self.complete = not message.get("more_body", False)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then whatever the client sends next (a disconnect)."""
    first: Message | None = {"type": "http.request", "body": body}

    async def replayed() -> Message:
        nonlocal first
        if first is None:
            return await receive()
        message, first = first, None
        return message

    return replayed


async def read_body(
    body: Body, receive: Receive, headers: Mapping[bytes, bytes], max_bytes: int
) -> None:
    """Read into ``body`` until it is whole, or BodyTooLarge past ``max_bytes``. The caller
    bounds how long it may take (a client trickling its body would otherwise hold the
    request, and its connection, for as long as it liked)."""
    declared = headers.get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(max_bytes)
    while not body.complete and body.size <= max_bytes:
        message = await receive()
        if message["type"] != "http.request":
            return  # the client left
        body.add(message)
    if body.size > max_bytes:
        raise BodyTooLarge(max_bytes)


class Stack:
    """Request id, body, deadline, log and metrics for every request; then the route."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        request_id = request_id_from(headers)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        tag = (b"x-request-id", request_id.encode())
        status = 500
        started = False
        start = time.perf_counter()

        db: Database | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = [*message.get("headers", ()), tag]
                if db is not None and db.written is not None:
                    # Read-your-writes: a read presenting it sees this request's writes.
                    written = (POSITION_HEADER, positions.render(db.written).encode())
                    message["headers"].append(written)
            await send(message)

        arriving = True
        try:
            # One timer for both: the body's time limit, then, once it is whole, the deadline.
            async with asyncio.timeout(self.settings.body_timeout_s) as timer:
                body = Body()
                await read_body(body, receive, headers, self.settings.max_body_bytes)
                if not body.complete:
                    status = 499  # the client left before its body arrived
                    return
                arriving = False
                timer.reschedule(
                    asyncio.get_running_loop().time() + self.settings.request_timeout_s
                )
                state["body"] = whole = (
                    body.chunks[0] if len(body.chunks) == 1 else b"".join(body.chunks)
                )
                if "db" in state:
                    given = headers.get(POSITION_HEADER)
                    floor = None if given is None else positions.parse(given.decode("latin-1"))
                    state["db"] = db = state["db"].for_request(floor)
                await self.app(scope, _replay(whole, receive), observed_send)
        except RegistryError as exc:  # the body, or the position it presents, was refused
            if not started:
                await responses.for_exception(scope["path"], exc)(scope, receive, observed_send)
        except TimeoutError:
            if arriving:
                late = BodyTimeout(self.settings.body_timeout_s)
                await responses.for_exception(scope["path"], late)(scope, receive, observed_send)
            elif not started:
                message = f"the request took longer than {self.settings.request_timeout_s:g} s"
                refusal = responses.error_response(scope["path"], "DEADLINE_EXCEEDED", message)
                await refusal(scope, receive, observed_send)
        except Exception:
            log.exception("unexpected error in %s %s", scope["method"], scope["path"])
            if not started:
                refusal = responses.error_response(
                    scope["path"], "INTERNAL_SERVER_ERROR", "Unexpected error."
                )
                await refusal(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_label(scope)
            operation = state.get("graphql_operation", "")
            self.metrics.record(route, scope["method"], status, operation, elapsed)
            if operation:
                self.metrics.operation(operation)
            if self.settings.access_log:
                log_request(request_id, scope["method"], route, operation, status, elapsed)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_from(dict(scope["headers"]))
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            if self.settings.access_log:
                elapsed = time.perf_counter() - start
                log_request(request_id, "WEBSOCKET", _route_label(scope), "", 101, elapsed)


class Shortcut:
    """Routes a few fixed paths straight to their endpoints, past Starlette's router and
    exception layers; the same endpoints serve them through the router too."""

    def __init__(self, app: ASGIApp, routes: Mapping[tuple[str, str], Endpoint]) -> None:
        self.app = app
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http":
            endpoint = self.routes.get((scope["method"], scope["path"]))
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        scope["route_path"] = scope["path"]
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except RegistryError as exc:
            response = responses.for_exception(scope["path"], exc)
        await response(scope, receive, send)


def _route_label(scope: Scope) -> str:
    """The route template a request matched, so labels stay few ("/api/models/{id}")."""
    direct = scope.get("route_path")
    if direct is not None:
        return str(direct)
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched")) if route is not None else "unmatched"
