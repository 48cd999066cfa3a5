"""The pool as the app uses it: bounded waits, clear errors, retries that are safe."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.db.types import Conn
from app.errors import StatementTimeout, Unavailable

if TYPE_CHECKING:
    from app.db.replicas import Replica, Replicas

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


# Where a read failed on a replica but the primary can answer it: the replica went away or is
# busy, or replay cancelled the read (a conflict with recovery).
_REPLICA_FAILURES: tuple[type[BaseException], ...] = (
    *CONNECTION_ERRORS,
    Unavailable,
    asyncpg.SerializationError,
)


class Database:
    """Hands out connections within ``acquire_timeout`` and retries what is safe to retry.

    Writes go to the primary and note the WAL position of their commit; reads go to a replica
    that has replayed what the request must see (``for_request``), else to the primary.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        acquire_timeout: float = 1.0,
        retry_window: float = 5.0,
        statement_timeout_ms: int = 5000,
        errors: Callable[[str], None] | None = None,
        replicas: Replicas | None = None,
        reads: Callable[[str], None] | None = None,
    ) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout
        self.retry_window = retry_window
        self.statement_timeout_ms = statement_timeout_ms
        self._count_error = errors or (lambda kind: None)
        self.replicas = replicas
        self._count_read = reads or (lambda target: None)
        # One request's view (for_request): the position its reads must see, the position of
        # its last write, and whether it reads from the primary only (a mutation).
        self.floor: int | None = None
        self.written: int | None = None
        self.primary_only = False

    def for_request(self, floor: int | None) -> Database:
        """This database as one request uses it: its reads see ``floor`` and its own writes."""
        # Every request makes one: a dict copy costs a quarter of copy.copy.
        view = object.__new__(Database)
        view.__dict__.update(self.__dict__)
        view.floor, view.written, view.primary_only = floor, None, False
        return view

    def on_primary(self) -> Database:
        """This database with every read on the primary: for reads that must see a commit
        just announced (the change feed's), which a replica may not have replayed yet."""
        view = self.for_request(None)
        view.primary_only = True
        return view

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """A pooled connection; Unavailable when none frees up in time."""
        conn = await self._acquire()
        try:
            yield conn
        finally:
            await self._release(conn)

    async def _acquire(self, pool: asyncpg.Pool | None = None) -> PoolConnectionProxy:
        try:
            # Not acquire(timeout=): that wraps the wait in a task, a cost on every request.
            async with asyncio.timeout(self.acquire_timeout):
                conn: PoolConnectionProxy = await (pool or self.pool).acquire()
        except TimeoutError:
            self._count_error("pool_exhausted")
            raise Unavailable("the server is busy; retry shortly") from None
        return conn

    async def _release(self, conn: PoolConnectionProxy, pool: asyncpg.Pool | None = None) -> None:
        try:
            await (pool or self.pool).release(conn)
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

    async def write(self, fn: Callable[[Conn], Awaitable[T]], *, retry: bool) -> T:
        """Run ``fn``, which commits what it writes, on the primary; note the commit's position.

        The insert position read after the commit is at or past the commit record's end, so a
        replica that has replayed it sees the write (through a pooler too: any server
        connection of the primary reads the same WAL).
        """

        async def committed(conn: Conn) -> T:
            result = await fn(conn)
            try:
                position: int = await conn.fetchval("select pg_current_wal_insert_lsn()")
            except CONNECTION_ERRORS:
                # The write is committed: answer it, without a position, and let the rest of
                # the request read from the primary, which has it.
                log.warning("the connection failed after a commit; no position for this write")
                self.primary_only = True
                return result
            self.written = position if self.written is None else max(self.written, position)
            return result

        return await self.run(committed, retry=retry)

    async def read(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """Run the read ``fn`` on a replica that may answer it, else on the primary; retried."""
        replicas = self.replicas
        if replicas is not None and not self.primary_only:
            floor = self.floor
            if self.written is not None:
                floor = max(floor or 0, self.written)
            replica = replicas.choose(floor)
            if replica is not None:
                try:
                    result = await self._read_on(replica, fn)
                except _REPLICA_FAILURES as exc:
                    if not isinstance(exc, Unavailable | asyncpg.SerializationError):
                        replicas.mark_down(replica)
                    self._count_error("replica")
                else:
                    self._count_read(replica.name)
                    return result
        result = await self.run(fn, retry=True)
        if replicas is not None:
            # Without replicas every read is the primary's: nothing to tell apart.
            self._count_read("primary")
        return result

    async def _read_on(self, replica: Replica, fn: Callable[[Conn], Awaitable[T]]) -> T:
        conn = await self._acquire(replica.pool)
        try:
            return await fn(conn)
        except asyncpg.QueryCanceledError:
            self._count_error("statement_timeout")
            raise StatementTimeout(
                f"a database statement took longer than {self.statement_timeout_ms} ms"
            ) from None
        finally:
            await self._release(conn, replica.pool)
