"""GraphQL subscriptions over WebSocket: graphql-transport-ws, with the registry's rules.

- The token comes in ``connection_init``'s payload, as ``{"Authorization": "Bearer <t>"}``
  or ``{"token": "<t>"}`` (else the upgrade request's Authorization header); reads follow
  REGISTRY_REQUIRE_READ_AUTH as queries do. A bad token, or none where one is needed, closes
  the connection with 4403.
- Only subscriptions run here; queries and mutations go over HTTP.
- One more subscription than REGISTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION is answered with an
  ``error`` message coded TOO_MANY_SUBSCRIPTIONS; the connection stays open.
- A connection is closed with 4429 when a subscription's client reads too slowly, and with
  4403 when its token is revoked: its subscriptions end at once, and the close frame follows
  what was sent before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import AsyncGenerator
from typing import Any

import orjson
from graphql import GraphQLError
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws import handlers
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.utils.aio import aclosing

from app.auth import ANONYMOUS, Principal
from app.feed.feed import CLOSE_FORBIDDEN, CLOSE_SLOW_CONSUMER, Feed
from app.feed.hub import Direct, Page
from app.http.feed_socket import text_frame, write_now
from app.schema.context import Context
from app.schema.errors import to_client_error
from app.schema.feed import json_text

REASONS = {CLOSE_FORBIDDEN: "revoked", CLOSE_SLOW_CONSUMER: "slow"}


def fingerprint(
    query: str, variables: dict[str, Any] | None, name: str | None, principal: Principal
) -> str:
    """What makes two subscriptions' results equal: the document, its variables, its
    operation, and what the caller may read."""
    asked = [query, variables or {}, name, sorted(principal.scopes)]
    try:
        raw = orjson.dumps(asked, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers past 64 bits
        raw = json.dumps(asked, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


async def _client_errors(source: Any) -> AsyncGenerator[Any, None]:
    """The results of ``source`` with their errors as clients see them (a code, no internals)."""
    async with aclosing(source):
        async for result in source:
            if result.errors:
                result.errors = [to_client_error(e) for e in result.errors]
            yield result


def _next_message(operation_id: str, payload: str) -> str:
    return '{"id":' + json_text(operation_id) + ',"type":"next","payload":' + payload + "}"


class FeedConnection:
    """One WebSocket connection as the change feed sees it: its caller, and how to close it."""

    def __init__(self, handler: SubscriptionHandler) -> None:
        self.handler = handler
        self.principal: Principal = ANONYMOUS
        self.closing: asyncio.Task[None] | None = None
        self.write_now = write_now(handler.context.request.scope)

    def close_soon(self, code: int, reason: str) -> None:
        """End every subscription now, then close with ``code`` (after what was sent)."""
        if self.closing is not None:
            return
        self.handler.count_close(REASONS.get(code, str(code)))
        for operation in self.handler.operations.values():
            operation.completed = True  # nothing more is sent for it
        self.closing = asyncio.create_task(self._close(code, reason))

    async def send_next(self, operation_id: str, payload: str) -> None:
        """Send a ``next`` message whose payload is already JSON text."""
        operation = self.handler.operations.get(operation_id)
        if operation is None or operation.completed or self.closing:
            return
        websocket = self.handler.websocket
        assert isinstance(websocket, ASGIWebSocketAdapter)
        await websocket.ws.send_text(_next_message(operation_id, payload))

    def sender(self, operation_id: str) -> Direct | None:
        """What sends a page to the operation at once, as ``next`` messages in one write, if
        the socket takes them without waiting (app.http.feed_socket) and every one is
        encoded: False, sending nothing, otherwise. None when this server's WebSocket
        protocol cannot write without waiting."""
        write, operation = self.write_now, self.handler.operations.get(operation_id)
        if write is None or operation is None or self.closing:
            return None

        def send_now(page: Page) -> bool:
            # Completed once the client ends it, or the connection closes (cleanup_operation).
            if operation.completed:
                return False
            sent = page.sent.get(operation_id)
            if sent is None:
                frames = []
                for delivery in page.deliveries:
                    text = delivery.ready_text()
                    if text is None:
                        return False
                    frames.append(text_frame(_next_message(operation_id, text)))
                sent = page.sent[operation_id] = b"".join(frames)
            return write(sent)

        return send_now

    async def _close(self, code: int, reason: str) -> None:
        for operation_id in list(self.handler.operations):
            await self.handler.cleanup_operation(operation_id)
        # The close frame waits behind what the socket holds: a client that reads nothing
        # at all never sees it, and is dropped as unresponsive pings are.
        wait = self.handler.context.settings.ws_ping_interval_s
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.handler.websocket.close(code, reason), wait)
        self.handler.drop()


class SubscriptionHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection = FeedConnection(self)
        self.context.connection = self.connection
        self.limit = self.context.settings.max_subscriptions_per_connection
        self._main: asyncio.Task[Any] | None = None
        self._dropped = False

    @property
    def feed(self) -> Feed:
        found: Feed = self.context.request.scope["state"]["feed"]
        return found

    async def handle(self) -> None:
        self._main = asyncio.current_task()
        self.feed.connections.add(self.connection)
        try:
            await super().handle()
        except asyncio.CancelledError:
            if not self._dropped or self._main is None:
                raise
            self._main.uncancel()
        finally:
            self.feed.connections.discard(self.connection)

    def count_close(self, reason: str) -> None:
        self.context.request.scope["state"]["metrics"].feed_closes.labels(reason).inc()

    async def cleanup_operation(self, operation_id: str) -> None:
        operation = self.operations.get(operation_id)
        if operation is not None:
            # Ended: the hub sends it nothing more, though its stream has yet to stop.
            operation.completed = True
        await super().cleanup_operation(operation_id)

    def drop(self) -> None:
        """End the connection now, whatever it was doing."""
        if self._main is not None and not self._dropped:
            self._dropped = True
            self._main.cancel()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        known = message.get("id") in self.operations
        if self.connection_acknowledged and not known and len(self.operations) >= self.limit:
            error = GraphQLError(
                f"this connection holds {self.limit} subscriptions, its most",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Operation[Context, None], source: Any) -> None:
        await super()._send_result_stream(operation, _client_errors(source))

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, with a context per operation and subscriptions only."""
        principal = self.connection.principal
        key = fingerprint(operation.query, operation.variables, operation.operation_name, principal)
        context = dataclasses.replace(
            self.context.fresh(), operation_id=operation.id, operation_key=key
        )
        try:
            result_source = await self.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except handlers._OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
