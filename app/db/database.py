"""The pool as the app uses it: bounded waits, clear errors, retries that are safe."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.db.types import Conn
from app.errors import StatementTimeout, Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a dead or restarting server looks like from asyncpg; all of them mean "try again".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
    OSError,
)


class Database:
    """Hands out connections within ``acquire_timeout`` and retries what is safe to retry."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        acquire_timeout: float = 1.0,
        retry_window: float = 5.0,
        statement_timeout_ms: int = 5000,
        errors: Callable[[str], None] | None = None,
    ) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout
        self.retry_window = retry_window
        self.statement_timeout_ms = statement_timeout_ms
        self._count_error = errors or (lambda kind: None)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """A pooled connection; Unavailable when none frees up in time."""
        conn = await self._acquire()
        try:
            yield conn
        finally:
            await self._release(conn)

    async def _acquire(self) -> PoolConnectionProxy:
        try:
            # Not acquire(timeout=): that wraps the wait in a task, a cost on every request.
            async with asyncio.timeout(self.acquire_timeout):
                conn: PoolConnectionProxy = await self.pool.acquire()
        except TimeoutError:
            self._count_error("pool_exhausted")
            raise Unavailable("the server is busy; retry shortly") from None
        return conn

    async def _release(self, conn: PoolConnectionProxy) -> None:
        try:
            await self.pool.release(conn)
        except CONNECTION_ERRORS:
            # Releasing a connection whose server went away fails; the pool replaces it.
            log.info("dropped a dead connection on release")

    async def run(self, fn: Callable[[Conn], Awaitable[T]], *, retry: bool) -> T:
        """Run ``fn`` on a connection; when ``retry``, survive a restarting database.

        Only reads, and writes made safe by an idempotency key, may pass ``retry=True``.
        """
        deadline = time.monotonic() + self.retry_window
        delay = 0.05
        while True:
            try:
                conn = await self._acquire()
                try:
                    return await fn(conn)
                finally:
                    await self._release(conn)
            except asyncpg.QueryCanceledError:
                self._count_error("statement_timeout")
                raise StatementTimeout(
                    f"a database statement took longer than {self.statement_timeout_ms} ms"
                ) from None
            except CONNECTION_ERRORS as exc:
                self._count_error("connection")
                if not retry or time.monotonic() + delay > deadline:
                    raise Unavailable("the database is unavailable; retry shortly") from exc
                log.warning("database connection failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
