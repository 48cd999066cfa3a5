"""uvicorn's sans-I/O WebSocket protocol, with a write that does not wait, for the change feed.

An ASGI ``send`` is a coroutine: a live event handed to each subscriber's task costs a task
wake-up, a chain of awaits and a frame encoded per subscriber. The feed's hub instead writes a
live event to every idle subscriber itself, in one pass, through ``WRITE_NOW``: a function in
the connection scope's extensions that writes frames, built once (``text_frame``) and shared by
every subscriber whose message is the same, to the socket at once.

It writes only what the socket takes without waiting: False when the client has stopped
reading (the transport paused writing), the connection is closing, the handshake is not done
or an extension would change the frames; the caller then queues the message for the
subscriber's own task, whose awaited send and the slow-consumer bound apply as before. A
server run with another WebSocket protocol has no ``WRITE_NOW``, and every message takes the
awaited path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from app.settings import Settings

# The scope extension holding a connection's write_now.
WRITE_NOW = "registry.write_now"
WriteNow = Callable[[bytes], bool]
OPEN = State.OPEN


def text_frame(text: str) -> bytes:
    """A whole text message as a server sends it: one unmasked frame, no extension."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class FeedWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The socket's buffer is full (uvicorn's ``writable`` is clear): a flag of the
        # protocol's own, beside the others a write checks (for every subscriber of a page).
        self.write_paused = False

    async def run_asgi(self) -> None:
        self.scope["extensions"][WRITE_NOW] = self.write_now  # type: ignore[assignment]
        await super().run_asgi()

    def pause_writing(self) -> None:
        self.write_paused = True
        super().pause_writing()

    def resume_writing(self) -> None:
        self.write_paused = False
        super().resume_writing()

    def write_now(self, frames: bytes) -> bool:
        """Write whole ``text_frame``s now; False, writing nothing, if it would have to wait."""
        if (
            self.close_sent
            or self.disconnected
            or self.write_paused
            or not self.handshake_complete
            or self.initial_response is not None
            or self.transport.is_closing()
            or self.conn.state is not OPEN
            or self.conn.extensions
        ):
            return False
        self.transport.write(frames)
        return True


def write_now(scope: Any) -> WriteNow | None:
    """The connection's write_now, if its protocol has one."""
    found = scope.get("extensions", {}).get(WRITE_NOW)
    return found if callable(found) else None


def ws_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's WebSocket options, for one process and for workers alike: this protocol,
    pings both ways, messages no larger than request bodies, and no per-message compression
    (its zlib state costs memory per connection, and CPU per event and subscriber)."""
    return {
        "ws": "app.http.feed_socket:FeedWebSocketProtocol",
        "ws_ping_interval": settings.ws_ping_interval_s,
        "ws_ping_timeout": settings.ws_ping_interval_s,
        "ws_max_size": settings.max_body_bytes,
        "ws_per_message_deflate": False,
    }
