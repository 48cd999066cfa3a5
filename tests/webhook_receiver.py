"""A real HTTP server in a thread that records what webhooks POST to it, and answers as told."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

# A held request waits for release() this long at most, so a failed test cannot hang.
HOLD_LIMIT_S = 60.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["x-registry-delivery"]


@dataclass
class Receiver:
    """Answers 200 unless ``script`` says otherwise for a path: each request to it takes the
    next of its answers (a status, ``"hang"`` to hold until release(), or ``("redirect", to)``).
    With ``hold_after``, every request past that many is held until release()."""

    script: dict[str, list[Any]] = field(default_factory=dict)
    hold_after: int | None = None
    received: list[Received] = field(default_factory=list)
    held: int = 0
    _changed: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def release(self) -> None:
        self._released.set()

    async def wait_until(self, ready: Callable[[Receiver], bool], limit_s: float = 60.0) -> None:
        """Wait until ``ready(self)``, letting the event loop run (the app delivers in it);
        fail past ``limit_s`` (a guard, not a measurement)."""
        deadline = time.monotonic() + limit_s
        while True:
            with self._changed:
                if ready(self):
                    return
            assert time.monotonic() < deadline, (
                f"the receiver never got there: {len(self.received)} received"
            )
            await asyncio.sleep(0.02)

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def _answer(self, request: Received) -> Any:
        with self._changed:
            self.received.append(request)
            answers = self.script.get(request.path)
            answer: Any = answers.pop(0) if answers else 200
            if self.hold_after is not None and len(self.received) > self.hold_after:
                answer = "hang"
            if answer == "hang":
                self.held += 1
        if answer == "hang":
            self._released.wait(HOLD_LIMIT_S)
            return 200
        return answer


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = receiver._answer(Received(self.path, headers, body))
            with contextlib.suppress(OSError):
                if isinstance(answer, tuple):
                    self.send_response(302)
                    self.send_header("location", answer[1])
                    self.send_header("content-length", "0")
                    self.end_headers()
                else:
                    text = b"ok" if answer < 300 else b"receiver says no"
                    self.send_response(answer)
                    self.send_header("content-length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def receiving(
    receiver: Receiver | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[Receiver]:
    """``receiver`` served on 127.0.0.1 at a free port (its ``url``) while the block runs;
    with ``tls``, over https, its ``url`` naming the host ``localhost``."""
    r = receiver or Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(r))
    server.daemon_threads = True
    port = server.server_address[1]
    r.url = f"http://127.0.0.1:{port}"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        r.url = f"https://localhost:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        r.release()
        server.shutdown()
        server.server_close()
