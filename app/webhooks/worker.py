"""The delivery loop every process runs: claim due deliveries, send them, settle each.

It wakes on ``wake()`` (the change feed's listener calls it on each notification) and
otherwise every ``poll_s``, so it delivers without a listener too, and finds retries and
expired leases when they fall due.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from app.db.database import Database
from app.repo import deliveries as delivery_repo
from app.repo.deliveries import Claimed
from app.webhooks import rules, sender
from app.webhooks.sender import Outcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    poll_s: float
    timeout_s: float
    lease_s: float
    max_attempts: int
    backoff_s: float
    concurrency: int
    allow_private: bool


class DeliveryWorker:
    """Delivers webhooks from one process; start() once, stop() on shutdown."""

    def __init__(
        self,
        db: Database,
        settings: WorkerSettings,
        outcomes: Callable[[str], None] | None = None,
        trusted: ssl.SSLContext | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self._count = outcomes or (lambda outcome: None)
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rng = random.Random()
        # What https receivers' certificates must chain to; None: sender.client's default.
        self._trusted = trusted

    def wake(self) -> None:
        """Look for due deliveries now (an event was committed)."""
        self._woken.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-deliveries")

    async def stop(self) -> None:
        """Stop delivering; attempts in flight are abandoned and their deliveries given back."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        running: dict[uuid.UUID, tuple[Claimed, asyncio.Task[None]]] = {}
        async with sender.client(self.settings.timeout_s, self._trusted) as http:
            try:
                while True:
                    # Cleared before claiming: a wake-up meanwhile is for the next turn.
                    self._woken.clear()
                    # Claim only for free slots: a hanging receiver holds one slot, not all.
                    free = self.settings.concurrency - len(running)
                    claimed = await self._claim(free) if free else []
                    for c in claimed:
                        task = asyncio.create_task(self._attempt(http, c))
                        running[c.id] = (c, task)
                        task.add_done_callback(functools.partial(self._finished, running, c.id))
                    if free and len(claimed) == free:
                        continue  # more may be due
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.settings.poll_s):
                            await self._woken.wait()
            finally:
                left = [c for c, _ in running.values()]
                for _, task in running.values():
                    task.cancel()
                await asyncio.gather(*(t for _, t in running.values()), return_exceptions=True)
                if left:
                    await self._give_back(left)

    def _finished(
        self,
        running: dict[uuid.UUID, tuple[Claimed, asyncio.Task[None]]],
        i: uuid.UUID,
        _: asyncio.Task[None],
    ) -> None:
        running.pop(i, None)
        # A slot is free: claim again without waiting for the poll.
        self._woken.set()

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            return await self.db.run(
                lambda conn: delivery_repo.claim(conn, limit, self.settings.lease_s),
                retry=False,
            )
        except Exception:
            # The database restarting, say: the next turn tries again.
            log.warning("could not claim webhook deliveries", exc_info=True)
            return []

    async def _attempt(self, http: httpx.AsyncClient, c: Claimed) -> None:
        try:
            outcome = await sender.send(
                http,
                c,
                allow_private=self.settings.allow_private,
                timeout_s=self.settings.timeout_s,
            )
        except Exception as exc:
            # Not the receiver's doing; the delivery is retried like any failed attempt.
            log.exception("webhook delivery %s failed unexpectedly", c.id)
            outcome = Outcome(None, f"unexpected {type(exc).__name__}")
        await self._settle(c, outcome)

    async def _settle(self, c: Claimed, outcome: Outcome) -> None:
        if outcome.delivered:
            status, retry_in = "delivered", 0.0
        elif c.attempt >= self.settings.max_attempts:
            status, retry_in = "failed", 0.0
        else:
            status = "pending"
            retry_in = rules.backoff(c.attempt, self.settings.backoff_s, self._rng)
        try:
            kept = await self.db.run(
                lambda conn: delivery_repo.settle(
                    conn, c, status, outcome.status_code, outcome.error, retry_in
                ),
                retry=True,
            )
        except Exception:
            # Unrecorded, the lease expires and the delivery is attempted again.
            log.warning("could not record webhook delivery %s", c.id, exc_info=True)
            return
        if kept:
            self._count("retry" if status == "pending" else status)
        if not outcome.delivered:
            log.info(
                "webhook delivery %s attempt %d: %s", c.id, c.attempt, outcome.error or "failed"
            )

    async def _give_back(self, claimed: list[Claimed]) -> None:
        # Shutting down: a short, shielded try, or the leases expire in their own time.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await asyncio.shield(
                    self.db.run(lambda conn: delivery_repo.release(conn, claimed), retry=False)
                )
