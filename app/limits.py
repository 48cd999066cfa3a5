"""Bounds on every request: body size (also when chunked), body arrival time, a deadline.

Pure ASGI. Bounds on the connection itself (request head, idle time, counts) are below ASGI,
in app/connections.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import RegistryError

CLOSE = (b"connection", b"close")


class BodyTimeout(RegistryError):
    code = "REQUEST_TIMEOUT"
    http_status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")


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

    def replay(self, receive: Receive) -> Receive:
        """The part read so far as one message, then the rest from the client."""
        if not self.chunks:
            return receive
        first: Message | None = {
            "type": "http.request",
            "body": b"".join(self.chunks),
            "more_body": not self.complete,
        }

        async def replayed() -> Message:
            nonlocal first
            if first is None:
                return await receive()
            message, first = first, None
            return message

        return replayed


async def read_body(
    body: Body, receive: Receive, headers: Mapping[bytes, bytes], max_bytes: int, seconds: float
) -> None:
    """Read into ``body`` until it is whole, over ``max_bytes``, or the client leaves.

    Raises BodyTimeout when it is not whole within ``seconds``: a client that trickles its
    body would otherwise hold the request, and its connection, for as long as it likes.
    """
    # Without Content-Length or Transfer-Encoding a request has no body: no timer to arm.
    length = headers.get(b"content-length")
    if (length is None or length == b"0") and b"transfer-encoding" not in headers:
        await _read(body, receive, max_bytes)
        return
    try:
        async with asyncio.timeout(seconds):
            await _read(body, receive, max_bytes)
    except TimeoutError:
        raise BodyTimeout(seconds) from None


async def _read(body: Body, receive: Receive, max_bytes: int) -> None:
    while not body.complete and body.size <= max_bytes:
        message = await receive()
        if message["type"] != "http.request":
            return
        body.add(message)


def _error(status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]) -> list[Message]:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": headers + extra},
        {"type": "http.response.body", "body": body},
    ]


class BodyLimit:
    """413 for bodies over ``max_bytes`` (announced or streamed); 408 for ones slower than
    ``timeout_s``."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        # Read the body here, so a chunked body is counted before anything parses it.
        read = Body()
        try:
            await read_body(read, receive, headers, self.max_bytes, self.timeout_s)
        except BodyTimeout as exc:
            for m in _error(exc.http_status, exc.code, exc.message, [CLOSE]):
                await send(m)
            return
        if read.size > self.max_bytes:
            await self._refuse(send)
            return
        if not read.complete:
            return  # the client left
        await self.app(scope, read.replay(receive), send)

    async def _refuse(self, send: Send) -> None:
        message = f"request bodies are limited to {self.max_bytes} bytes"
        for m in _error(413, "PAYLOAD_TOO_LARGE", message, [CLOSE]):
            await send(m)


class Deadline:
    """End a request that runs past ``seconds`` with a clear 504, if nothing was sent yet."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started:
                raise
            message = f"the request took longer than {self.seconds:g} s"
            for m in _error(504, "DEADLINE_EXCEEDED", message, []):
                await send(m)
