"""The change feed of one process: its listener, its subscriptions and their upkeep.

Upkeep is two slow loops: retention (deleting events older than the retention; any process
may, at any time, concurrently) and the token check (a connection whose token was revoked is
closed within ``token_check_s``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from app.auth import Principal
from app.db.database import Database
from app.db.types import Conn
from app.feed.hub import Hub
from app.feed.listener import Listener
from app.repo import events as event_repo
from app.repo import tokens as token_repo
from app.settings import Settings

log = logging.getLogger(__name__)

# How often retention runs: events are kept for days, so an hour late is nothing.
PRUNE_EVERY_S = 3600.0
# WebSocket close codes (graphql-transport-ws leaves 4400-4499 to the server).
CLOSE_FORBIDDEN = 4403
CLOSE_SLOW_CONSUMER = 4429


class Connection(Protocol):
    """A WebSocket connection holding subscriptions, as the feed sees it."""

    principal: Principal

    def close_soon(self, code: int, reason: str) -> None: ...


class Feed:
    """Listener, hub and upkeep, started and stopped with the app."""

    def __init__(self, db: Database, dsn: str, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.hub = Hub(self.run, max_subscriptions=settings.max_subscriptions,
                       bound=settings.subscription_queue)  # fmt: skip
        self.listener = Listener(
            dsn,
            self.hub.publish,
            poll_s=settings.feed_poll_s,
            interval_s=settings.feed_interval_ms / 1000,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        self.connections: set[Connection] = set()
        self._tasks: list[asyncio.Task[None]] = []

    def run(self, fn: Callable[[Conn], Awaitable[Any]]) -> Awaitable[Any]:
        """Run a read of the feed on a pooled connection (retried across a restart)."""
        return self.db.run(fn, retry=True)

    async def start(self) -> None:
        """Start at the last event committed now: live subscriptions get what follows."""
        last, _ = await self.run(event_repo.positions)
        self.listener.position = self.hub.position = last
        # Retention's first pass, before the app serves: none of its statements lands inside
        # a request (tests count a request's statements).
        await self._prune_once()
        for loop in (self.listener.run, self._prune, self._check_tokens):
            self._tasks.append(asyncio.create_task(self._guarded(loop)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _guarded(self, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        try:
            await loop()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a change feed task stopped")

    async def _prune_once(self) -> None:
        days = self.settings.event_retention_days
        try:
            gone = await self.db.run(lambda c: event_repo.prune(c, days), retry=False)
            if gone:
                log.info("retention deleted %d change feed events", gone)
        except Exception as exc:
            log.warning("change feed retention failed (%s); trying again later", exc)

    async def _prune(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_EVERY_S)
            await self._prune_once()

    async def _check_tokens(self) -> None:
        while True:
            await asyncio.sleep(self.settings.feed_token_check_s)
            holders = [c for c in self.connections if c.principal.name is not None]
            if not holders:
                continue
            names = sorted({str(c.principal.name) for c in holders})
            try:
                live = await self.run(functools.partial(token_repo.live_names, names=names))
            except Exception as exc:
                log.warning("token check failed (%s); trying again later", exc)
                continue
            for connection in holders:
                if connection.principal.name not in live:
                    connection.close_soon(CLOSE_FORBIDDEN, "token revoked")
