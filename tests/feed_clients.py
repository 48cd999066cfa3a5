"""Clients of the change feed over WebSocket: gql's transport, and graphql-transport-ws by hand."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

WAIT_S = 10.0  # a bound on every wait, never a measurement

VERSIONS = """
subscription($after: BigInt, $kind: ArtifactKind, $filter: ModelFilter) {
  versionRegistered(after: $after, kind: $kind, filter: $filter) {
    id name payload version { id lineageId versionNumber }
  }
}
"""
EVENTS = """
subscription($kinds: [String!], $after: BigInt) {
  events(kinds: $kinds, after: $after) { id name payload }
}
"""


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://", 1) + "/graphql"


@contextlib.asynccontextmanager
async def session(http_url: str, init: dict[str, Any] | None = None) -> AsyncIterator[Any]:
    """A gql session over graphql-transport-ws, with ``init`` as connection_init's payload."""
    transport = WebsocketsTransport(
        url=ws_url(http_url),
        init_payload=init or {},
        subprotocols=["graphql-transport-ws"],
        ack_timeout=WAIT_S,
        # Leaving the session with a stream still open waits this long for it to end.
        close_timeout=1,
        connect_args={"proxy": None},
    )
    async with Client(transport=transport) as s:
        yield s


def subscribe(s: Any, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The stream of a subscription in the gql session ``s``."""
    return s.subscribe(GraphQLRequest(query, variable_values=variables or {}))


async def take(stream: AsyncIterator[Any], n: int) -> list[Any]:
    """The next ``n`` items of ``stream``, each within WAIT_S."""
    got = []
    for _ in range(n):
        got.append(await asyncio.wait_for(anext(stream), WAIT_S))
    return got


def close_code(exc: BaseException) -> int | None:
    """The close code the server sent, found along the exception's causes."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionClosed):
            return seen.rcvd.code if seen.rcvd else None
        seen = seen.__cause__ or seen.__context__
    return None


class RawClient:
    """graphql-transport-ws by hand, for what gql hides: close codes, not reading."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls, http_url: str, init: dict[str, Any] | None = None, **kw: Any
    ) -> AsyncIterator[RawClient]:
        async with websockets.connect(
            ws_url(http_url), subprotocols=["graphql-transport-ws"], proxy=None, **kw
        ) as ws:
            client = cls(ws)
            await ws.send(json.dumps({"type": "connection_init", "payload": init or {}}))
            yield client

    async def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT_S))
        return message

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))

    async def closed_with(self) -> int | None:
        """Read until the server closes; the code it closed with."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), WAIT_S)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None


__all__ = ["EVENTS", "VERSIONS", "RawClient", "close_code", "session", "subscribe", "take"]
