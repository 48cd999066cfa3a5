"""Streaming replicas: their pools, how far each has replayed, and which one answers a read.

A background task polls every replica's replay position (and the primary's write position,
for the lag) each REGISTRY_REPLICA_POLL_S; a read never waits on a poll. The known position
only trails the real one, so a replica chosen for a floor has replayed at least that far.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import asyncpg

from app.db.database import CONNECTION_ERRORS
from app.db.positions import DOWN, ReplicaState, can_serve

log = logging.getLogger(__name__)

_POLL_FAILURES: tuple[type[BaseException], ...] = (
    TimeoutError,
    asyncpg.PostgresError,
    *CONNECTION_ERRORS,
)
# A poll that takes longer than this counts the replica as down until the next one.
POLL_TIMEOUT_S = 1.0


def replica_name(url: str, index: int) -> str:
    """A name for metrics: host:port (or socket folder:port), never the credentials."""
    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", [""])[0]
    if not host:
        return f"replica-{index + 1}"
    return f"{host}:{parts.port or 5432}"


@dataclass(eq=False)
class Replica:
    name: str
    pool: asyncpg.Pool
    state: ReplicaState = DOWN


StateHook = Callable[[Replica], None]


class Replicas:
    """The replicas of one primary, with what the last poll saw of each."""

    def __init__(
        self,
        primary: asyncpg.Pool,
        replicas: list[Replica],
        *,
        max_lag_bytes: int,
        poll_s: float,
        on_state: StateHook | None = None,
    ) -> None:
        self.primary = primary
        self.replicas = replicas
        self.max_lag_bytes = max_lag_bytes
        self.poll_s = poll_s
        self._on_state = on_state or (lambda replica: None)
        self._turn = itertools.count()
        self._task: asyncio.Task[None] | None = None

    def choose(self, floor: int | None) -> Replica | None:
        """A replica that may serve a read that must see ``floor``, in turn; None: the primary."""
        usable = [r for r in self.replicas if can_serve(r.state, floor, self.max_lag_bytes)]
        if not usable:
            return None
        return usable[next(self._turn) % len(usable)]

    def mark_down(self, replica: Replica) -> None:
        """Stop sending reads to ``replica`` until a poll reaches it again."""
        if replica.state.replayed is not None:
            log.warning(
                "replica %s failed a read; reads go elsewhere until it answers", replica.name
            )
        replica.state = DOWN
        self._on_state(replica)

    async def poll(self) -> None:
        """Ask the primary and every replica how far they are, all at once."""
        primary, *replayed = await asyncio.gather(
            _position(self.primary, "select pg_current_wal_lsn()"),
            *(_position(r.pool, "select pg_last_wal_replay_lsn()") for r in self.replicas),
        )
        for replica, position in zip(self.replicas, replayed, strict=True):
            if position is None and replica.state.replayed is not None:
                log.warning("replica %s is down or not replaying", replica.name)
            replica.state = ReplicaState(position, primary)
            self._on_state(replica)

    async def start(self) -> None:
        """Poll once now (so the first reads may use replicas), then in the background."""
        await self.poll()
        self._task = asyncio.create_task(self._poll_forever(), name="replica-poll")

    async def close(self) -> None:
        """Stop polling and close the replicas' pools."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*(r.pool.close() for r in self.replicas))

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self.poll()
            except Exception:
                log.exception("polling the replicas failed")


async def _position(pool: asyncpg.Pool, query: str) -> int | None:
    """One position, or None when the server does not answer in time (or is not replaying)."""
    try:
        async with asyncio.timeout(POLL_TIMEOUT_S), pool.acquire() as conn:
            found: int | None = await conn.fetchval(query)
            return found
    except _POLL_FAILURES:
        return None
