"""The process's one listener on the outbox: ``LISTEN``, then read what each wake-up committed.

The commit trigger notifies once per transaction and carries nothing: the listener reads the
table past the last id it has seen, in pages, and hands each page on. It reads on every
notification, after every reconnect (what was committed while it was away) and on a slow
timer (a notification is lost when it arrives while the connection is down). Reads are at
least ``interval_s`` apart: a commit after a quiet spell is read at once, and those that follow
it within the interval wait for the next read, which hands them on together. Under load, each
subscriber then gets one write per interval instead of one per commit (the write, a system
call per subscriber, is most of what a subscriber costs). A lost connection is opened again
with backoff, for as long as the process runs.

Others in the process can be woken after each read that found events: ``on_wake`` takes a
callback (given the last id read), ``waiter`` gives an ``asyncio.Event`` that is set then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from app.db.pool import connect_direct
from app.events import MAX_EVENTS_PAGE, Event
from app.repo import events as event_repo

log = logging.getLogger(__name__)

BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 5.0


class Listener:
    """Reads the feed for the process and hands every page of events to ``deliver``."""

    def __init__(
        self,
        dsn: str,
        deliver: Callable[[Sequence[Event]], Awaitable[None]],
        *,
        poll_s: float,
        interval_s: float = 0.0,
        statement_timeout_ms: int = 5000,
    ) -> None:
        self.dsn = dsn
        self.deliver = deliver
        self.poll_s = poll_s
        self.interval_s = interval_s
        self.statement_timeout_ms = statement_timeout_ms
        # The last event id read; set by ``start`` to the last one committed then.
        self.position = 0
        self.connected = asyncio.Event()
        self._notified = asyncio.Event()
        self._callbacks: list[Callable[[int], None]] = []

    def on_wake(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(last_id)`` after each read that found events; returns the undo."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback)

    def waiter(self) -> asyncio.Event:
        """An event set after each read that found events (its owner clears it)."""
        event = asyncio.Event()
        self.on_wake(lambda _: event.set())
        return event

    def _notify(self, *_: object) -> None:
        self._notified.set()

    async def run(self) -> None:
        """Listen and read until cancelled, reconnecting with backoff."""
        backoff = BACKOFF_FIRST_S
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await self._connect()
                conn.add_termination_listener(self._notify)
                await conn.add_listener(event_repo.CHANNEL, self._notify)
                self.connected.set()
                backoff = BACKOFF_FIRST_S
                await self._serve(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("change feed listener lost its connection (%s); retrying", exc)
            finally:
                self.connected.clear()
                if conn is not None:
                    try:
                        await asyncio.wait_for(conn.close(), 2)
                    except BaseException:
                        # Not closed politely in time: drop it, never leave it open.
                        conn.terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _connect(self) -> asyncpg.Connection:
        opening = asyncio.ensure_future(
            connect_direct(self.dsn, statement_timeout_ms=self.statement_timeout_ms)
        )
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            # Stopped while connecting: the connection may still open; close it now if it
            # does soon, else whenever it does.
            opening.add_done_callback(_close_opened)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(opening), 2)
            raise

    async def _serve(self, conn: asyncpg.Connection) -> None:
        loop = asyncio.get_running_loop()
        handed_on = float("-inf")
        while True:
            self._notified.clear()
            began = loop.time()
            if await self.read(conn):
                handed_on = began
            if conn.is_closed():
                raise ConnectionError("the listening connection closed")
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives as the wait ends, and the listener would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._notified.wait()
            rest = handed_on + self.interval_s - loop.time()
            if rest > 0:
                await asyncio.sleep(rest)

    async def read(self, conn: asyncpg.Connection) -> bool:
        """Read and hand on every event past the position; whether there were any."""
        found = False
        while True:
            page = await event_repo.after(conn, self.position, [], MAX_EVENTS_PAGE)
            if not page:
                break
            await self.deliver(page)
            self.position = page[-1].id
            found = True
            if len(page) < MAX_EVENTS_PAGE:
                break
        if found:
            for callback in list(self._callbacks):
                try:
                    callback(self.position)
                except Exception:
                    log.exception("a change feed wake-up callback failed")
        return found


def _close_opened(opening: asyncio.Future[asyncpg.Connection]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().terminate()
