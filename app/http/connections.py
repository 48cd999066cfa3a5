"""Bounds on connections, below ASGI: how long a request head may take, and how many are open.

uvicorn's httptools protocol, with three changes, for ``http=`` of ``uvicorn.run``:

- A request head (request line and headers) must arrive whole within ``header_timeout`` of the
  connection opening or of the previous response ending, or the connection is closed. uvicorn
  has no such bound: its keep-alive timer stops at the first byte of a request, and a fresh
  connection has no timer at all, so a client that sends nothing, or a header line a byte at a
  time, holds its socket for as long as it likes.
- An idle keep-alive connection still closes after uvicorn's ``timeout_keep_alive``: the one
  timer armed after each response covers both, so a request costs no more timers than in uvicorn.
- Open connections are counted process-wide and per client address. One over either cap is
  answered 503 ``TOO_MANY_CONNECTIONS`` at once and closed, before it can hold a request.

Bodies are bounded above this, in ASGI (app/http/stack.py), where a 408 can say why.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.utils import get_remote_addr
from uvicorn.server import ServerState

from app.http import responses
from app.settings import Settings

log = logging.getLogger(__name__)

# Refused before any request is read, so shaped as /graphql's errors are (it has no path).
_REFUSAL_BODY = responses.error_body(
    responses.GRAPHQL_PATH, "TOO_MANY_CONNECTIONS", "too many open connections; retry shortly"
)
TOO_MANY_CONNECTIONS = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: application/json\r\n"
    b"content-length: %d\r\n"
    b"retry-after: 1\r\n"
    b"connection: close\r\n"
    b"\r\n" % len(_REFUSAL_BODY)
) + _REFUSAL_BODY
# How long a refused connection may stay half-closed for the client to read the 503.
LINGER_S = 1.0


class ConnectionCounts:
    """Open connections of one kind, in all and per client address, against their caps."""

    __slots__ = ("max_per_client", "max_total", "per_client", "refused", "total")

    def __init__(self, max_total: int, max_per_client: int) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        self.total = 0
        self.per_client: dict[str, int] = {}
        self.refused = 0

    def admit(self, client: str) -> bool:
        """Count a connection from ``client``, or refuse it (uncounted) when over a cap."""
        open_here = self.per_client.get(client, 0)
        if self.total >= self.max_total or open_here >= self.max_per_client:
            self.refused += 1
            return False
        self.total += 1
        self.per_client[client] = open_here + 1
        return True

    def release(self, client: str) -> None:
        """Uncount a connection that ``admit`` counted."""
        self.total -= 1
        left = self.per_client[client] - 1
        if left:
            self.per_client[client] = left
        else:
            del self.per_client[client]


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request-head timeout and capped connection counts."""

    # Set on the subclass that bounded_http() makes: one count per server.
    counts: ClassVar[ConnectionCounts]
    header_timeout: ClassVar[float]

    _counted: str | None = None  # the client address this connection is counted under
    _timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = get_remote_addr(transport)
        client = peer[0] if peer else ""
        if not self.counts.admit(client):
            transport.set_protocol(_Refused(transport, self.loop, self.counts))
            return
        self._counted = client
        super().connection_made(transport)
        self._timer = self.loop.call_later(self.header_timeout, self._head_overdue)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._uncount()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # uvicorn 0.54's, except for the timer: uvicorn's keep-alive timer is cancelled by the
        # next request's first byte; this one stays until its head is whole.
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        if self._timer is not None:
            self._timer.cancel()
        wait = min(self.timeout_keep_alive, self.header_timeout)
        self._timer = self.loop.call_later(wait, self._idle_overdue)

    def handle_websocket_upgrade(self) -> None:
        # The transport passes to the WebSocket protocol, which gets connection_lost instead of
        # this one. A subscriber holds its connection for hours, so it leaves the HTTP count
        # here and takes no HTTP slot; subscriptions have caps of their own
        # (app.http.subscriptions).
        self._uncount()
        super().handle_websocket_upgrade()

    def _uncount(self) -> None:
        if self._counted is not None:
            self.counts.release(self._counted)
            self._counted = None

    def _idle_overdue(self) -> None:
        """Keep-alive time is up: close, unless a next head has begun and still has time."""
        self._timer = None
        rest = self.header_timeout - self.timeout_keep_alive
        # The parser's on_message_begin gives each request a new scope at its first byte.
        if rest > 0 and self.scope is not self.cycle.scope:
            self._timer = self.loop.call_later(rest, self._head_overdue)
            return
        self._close()

    def _head_overdue(self) -> None:
        self._timer = None
        self._close()

    def _close(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()


class _Refused(asyncio.Protocol):
    """A connection over a cap: the 503 at once, the client's bytes dropped, closed soon."""

    def __init__(
        self,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        counts: ConnectionCounts,
    ) -> None:
        transport.write(TOO_MANY_CONNECTIONS)
        # Half-close and keep reading: closing with the client's request unread would reset the
        # connection, and the client could lose the 503 before reading it.
        if transport.can_write_eof():
            transport.write_eof()
        self.linger = loop.call_later(LINGER_S, transport.close)
        if counts.refused == 1 or counts.refused % 1000 == 0:
            log.warning(
                "refused %d connections over the caps (%d open; at most %d, %d per client)",
                counts.refused,
                counts.total,
                counts.max_total,
                counts.max_per_client,
            )

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool | None:
        return None  # the client is done: close

    def connection_lost(self, exc: Exception | None) -> None:
        self.linger.cancel()


def bounded_http(settings: Settings) -> type[BoundedHttpTools]:
    """The protocol class for uvicorn's ``http=``, with these settings and counts of its own."""

    class Bounded(BoundedHttpTools):
        counts = ConnectionCounts(settings.max_connections, settings.max_connections_per_client)
        header_timeout = settings.header_timeout_s

    return Bounded


@functools.cache
def _from_environment() -> type[BoundedHttpTools]:
    return bounded_http(Settings.from_env())


def from_env(
    config: Config,
    server_state: ServerState,
    app_state: dict[str, Any],
    _loop: asyncio.AbstractEventLoop | None = None,
) -> BoundedHttpTools:
    """The protocol for ``uvicorn --http app.http.connections:from_env``, bounds from the env."""
    return _from_environment()(config, server_state, app_state, _loop)
