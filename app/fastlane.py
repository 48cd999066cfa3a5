"""Anonymous reads, answered in one pass outside the middleware stack.

POST /graphql and GET /api/models are what frontends send most. The lane applies the same
rules as the stack (request id, body limit and timeout, deadline, metrics, log line) and gives
the same answers, from one compiled statement. A request it is not sure about goes down the
regular stack untouched, its body replayed: other methods and paths, tokens, cross-origin
requests, anything the fast path declines, and every error the resolvers report.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db.database import Database, StatementTimeout, Unavailable
from app.fastpath import FastPath
from app.limits import Body, BodyTimeout, read_body
from app.observability import Metrics, log_request, request_id_from
from app.settings import Settings

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_TYPES = ("application/json", GRAPHQL_RESPONSE)
RETRY_SOON = ((b"retry-after", b"1"),)
CLOSE = ((b"connection", b"close"),)


def wants_graphql_response(accept: str) -> bool:
    """True when the client accepts application/graphql-response+json (GraphQL over HTTP)."""
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        if media.strip().lower() == GRAPHQL_RESPONSE:
            return "q=0" not in params.replace(" ", "") or "q=0." in params.replace(" ", "")
    return False


def is_json_media(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in JSON_TYPES


@dataclass(slots=True)
class Answer:
    status: int
    content: bytes
    media_type: str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    operation: str = ""


def _errors(code: str, message: str, *, data: bool) -> bytes:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return orjson.dumps({"data": None, **body} if data else body)


async def answer(fastpath: FastPath, db: Database, body: Any, accept: str) -> Answer | None:
    """The fast path's answer to a parsed GraphQL request body, or None to let Strawberry."""
    if not isinstance(body, dict):
        return None
    query, variables, name = body.get("query"), body.get("variables"), body.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return None
    if not isinstance(name, str | None):
        return None
    try:
        answered = await fastpath.execute(db, query, variables, name)
    except Unavailable as exc:
        content = _errors(exc.code, exc.message, data=False)
        return Answer(exc.http_status, content, "application/json", RETRY_SOON)
    except StatementTimeout as exc:
        return Answer(200, _errors(exc.code, exc.message, data=True), "application/json")
    except Exception:
        # The resolvers answer instead, and report whatever went wrong properly.
        log.exception("fast path failed; falling back to the resolvers")
        return None
    if answered is None:
        return None
    data, label = answered
    media = GRAPHQL_RESPONSE if wants_graphql_response(accept) else "application/json"
    return Answer(200, b'{"data":' + data.encode() + b"}", media, (), label)


# Answers a request from its scope, headers and whole body, or None to pass it on.
Handler = Callable[[Scope, dict[bytes, bytes], bytes], Awaitable[Answer | None]]


def graphql_post(fastpath: FastPath) -> Handler:
    """POST /graphql, for the lane."""

    async def handle(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> Answer | None:
        if not is_json_media(headers.get(b"content-type", b"").decode("latin-1")):
            return None
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        state = scope["state"]
        accept = headers.get(b"accept", b"").decode("latin-1")
        return await answer(fastpath, state["db"], parsed, accept)

    return handle


class FastLane:
    """Outermost ASGI layer: takes the requests it can finish, passes on everything else."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        metrics: Metrics,
        routes: Mapping[tuple[str, str], Handler],
    ) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = (
            self.routes.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        )
        if handler is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if (
            b"authorization" in headers
            or self.settings.require_read_auth
            or (self.settings.cors_origins and b"origin" in headers)
        ):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        body = Body()
        found = await self._answer(scope, headers, receive, body, handler)
        if found is None:
            await self.app(scope, body.replay(receive), send)
            return
        await self._send(scope, headers, found, send, start)

    async def _answer(
        self,
        scope: Scope,
        headers: dict[bytes, bytes],
        receive: Receive,
        body: Body,
        handler: Handler,
    ) -> Answer | None:
        settings = self.settings
        try:
            await read_body(
                body, receive, headers, settings.max_body_bytes, settings.body_timeout_s
            )
        except BodyTimeout as exc:
            content = _errors(exc.code, exc.message, data=False)
            return Answer(exc.http_status, content, "application/json", CLOSE)
        if not body.complete or body.size > settings.max_body_bytes:
            return None  # the client left, or the stack refuses the size with the right status
        try:
            async with asyncio.timeout(settings.request_timeout_s):
                return await handler(scope, headers, b"".join(body.chunks))
        except TimeoutError:
            message = f"the request took longer than {settings.request_timeout_s:g} s"
            return Answer(
                504, _errors("DEADLINE_EXCEEDED", message, data=False), "application/json"
            )

    async def _send(
        self, scope: Scope, headers: dict[bytes, bytes], found: Answer, send: Send, start: float
    ) -> None:
        request_id = request_id_from(headers)
        scope["state"]["request_id"] = request_id
        response_headers = [
            (b"content-type", found.media_type.encode()),
            (b"content-length", str(len(found.content)).encode()),
            *found.headers,
            (b"x-request-id", request_id.encode()),
        ]
        try:
            await send(
                {"type": "http.response.start", "status": found.status, "headers": response_headers}
            )
            await send({"type": "http.response.body", "body": found.content})
        finally:
            elapsed = time.perf_counter() - start
            method, route = scope["method"], scope["path"]
            self.metrics.record(route, method, found.status, found.operation, elapsed)
            if found.operation:
                self.metrics.operation(found.operation)
            if self.settings.access_log:
                log_request(request_id, method, route, found.operation, found.status, elapsed)
