"""The hub and a subscription's stream on the real outbox, in-process: replay then live
without a gap or a repeat, falling behind while catching up, the slow-consumer bound, the
pages the hub sends itself, and the listener's interval between pages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest

from app.db.types import Conn
from app.events import Event, EventName
from app.feed.hub import REPLAYED_AT_ONCE, Hub, Interest, Page
from app.feed.listener import Listener
from app.feed.stream import deliveries
from app.repo import events as event_repo

EVERYTHING = Interest(frozenset(EventName))


def runner(pool: asyncpg.Pool) -> Callable[[Callable[[Conn], Awaitable[Any]]], Awaitable[Any]]:
    async def run(fn: Callable[[Conn], Awaitable[Any]]) -> Any:
        async with pool.acquire() as c:
            return await fn(c)

    return run


async def joined(hub: Hub, n: int) -> None:
    """Let the streams started run until ``n`` of them have joined the hub."""
    for _ in range(1000):
        if hub.count >= n:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{hub.count} of {n} joined")


async def live_hub(db: asyncpg.Pool, conn: asyncpg.Connection, bound: int) -> tuple[Hub, int]:
    """A hub that has published everything committed so far, and that position."""
    start, _ = await event_repo.positions(conn)
    hub = Hub(runner(db), max_subscriptions=10, bound=bound)
    hub.position = start
    return hub, start


@contextlib.asynccontextmanager
async def listening(listener: Listener) -> AsyncIterator[None]:
    """The listener running, connected, until the block ends."""
    running = asyncio.ensure_future(listener.run())
    try:
        await asyncio.wait_for(listener.connected.wait(), 10)
        yield
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def record(conn: asyncpg.Connection, n: int) -> None:
    for i in range(n):
        async with conn.transaction():
            await event_repo.record(conn, EventName.TAGS_CHANGED, {"i": i})


async def page(conn: asyncpg.Connection, after: int) -> list[Event]:
    return await event_repo.after(conn, after, [], 500)


async def test_falling_behind_while_catching_up_reads_the_table_again_and_misses_nothing(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    start, _ = await event_repo.positions(conn)
    hub = Hub(runner(db), max_subscriptions=10, bound=2)
    await record(conn, 5)
    hub.position = (await page(conn, start))[-1].id  # published before the subscriber joined
    stream = deliveries(hub, "k", EVERYTHING, start, lambda: None)
    got = [(await anext(stream)).event.id]
    # While it replays, five more are published: more than it may hold.
    await record(conn, 5)
    await hub.publish(await page(conn, hub.position))
    while len(got) < 10:
        got.append((await anext(stream)).event.id)
    await stream.aclose()
    assert got == [e.id for e in await page(conn, start)]
    assert hub.count == 0


async def test_what_a_subscription_missed_is_encoded_a_few_at_a_time_as_it_is_read(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    hub, start = await live_hub(db, conn, bound=10)
    await record(conn, REPLAYED_AT_ONCE + 3)
    hub.position = (await page(conn, start))[-1].id
    calls: list[int] = []

    async def encode(events: Sequence[Event]) -> list[str | BaseException]:
        calls.append(len(events))
        return [str(e.id) if e.id % 7 else ValueError("no text") for e in events]

    stream = deliveries(hub, "k", EVERYTHING, start, lambda: None, encode)
    got = [await anext(stream) for _ in range(REPLAYED_AT_ONCE + 3)]
    await stream.aclose()
    assert calls == [REPLAYED_AT_ONCE, 3]
    assert [d.event.id for d in got] == [e.id for e in await page(conn, start)]
    # Each with its own text, or the reason it has none (raised to whoever asks for it).
    for d in got:
        assert d.ready_text() == (str(d.event.id) if d.event.id % 7 else None)
    failed = next(d for d in got if d.event.id % 7 == 0)
    with pytest.raises(ValueError, match="no text"):
        await failed.encoded(lambda e: asyncio.sleep(0, "unused"))


async def test_a_live_subscription_past_its_bound_is_a_slow_consumer(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    hub, start = await live_hub(db, conn, bound=2)
    slow: list[bool] = []
    stream = deliveries(hub, "k", EVERYTHING, None, lambda: slow.append(True))
    first = asyncio.ensure_future(anext(stream))
    await joined(hub, 1)
    await record(conn, 1)
    await hub.publish(await page(conn, start))
    assert (await first).event.id > start  # live now
    await record(conn, 3)
    await hub.publish(await page(conn, hub.position))
    assert slow  # the third found two waiting
    await stream.aclose()


async def test_members_of_a_group_share_one_delivery_per_event(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    hub, start = await live_hub(db, conn, bound=10)
    encoded: list[list[int]] = []

    async def encode(events: Sequence[Event]) -> list[str]:
        encoded.append([e.id for e in events])
        return [str(e.id) for e in events]

    streams = [deliveries(hub, "same", EVERYTHING, None, lambda: None, encode) for _ in range(3)]
    other = deliveries(hub, "other", EVERYTHING, None, lambda: None, encode)
    await record(conn, 1)
    # The first step of each stream joins the hub; the event is published once they have.
    tasks = [asyncio.ensure_future(anext(s)) for s in [*streams, other]]
    await joined(hub, 4)
    await hub.publish(await page(conn, start))
    got = await asyncio.gather(*tasks)
    assert len({id(d) for d in got[:3]}) == 1 and got[3] is not got[0]
    assert len(encoded) == 2  # once per group
    assert {d.ready_text() for d in got} == {str(got[0].event.id)}
    for s in [*streams, other]:
        await s.aclose()


async def test_the_listener_hands_on_each_commit_and_wakes_whoever_asked(
    db: asyncpg.Pool, conn: asyncpg.Connection, pg_dsn: str
) -> None:
    pages: list[list[Event]] = []

    async def deliver(events: Any) -> None:
        pages.append(list(events))

    listener = Listener(pg_dsn, deliver, poll_s=60)
    listener.position, _ = await event_repo.positions(conn)
    woken = listener.waiter()
    ids: list[int] = []
    undo = listener.on_wake(ids.append)
    async with listening(listener):
        await record(conn, 1)
        # Only the notification wakes it: the timer is a minute away.
        await asyncio.wait_for(woken.wait(), 10)
    undo()
    assert [[e.id for e in p] for p in pages] == [ids]
    assert ids == [listener.position]


async def test_a_waiting_subscription_is_sent_each_page_by_the_hub_in_one_call_in_order(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    hub, start = await live_hub(db, conn, bound=10)
    sent: list[list[int]] = []
    takes = [True]

    async def encode(events: Sequence[Event]) -> list[str]:
        return [str(e.id) for e in events]

    def direct(page: Page) -> bool:
        if not takes[0]:
            return False
        sent.append([int(d.ready_text() or 0) for d in page.deliveries])
        return True

    stream = deliveries(hub, "k", EVERYTHING, None, lambda: None, encode, direct)
    waiting = asyncio.ensure_future(anext(stream))
    await joined(hub, 1)
    await record(conn, 3)
    first = await page(conn, start)
    await hub.publish(first)
    # One call for the page, its texts encoded, in order; the subscription's task slept on.
    assert sent == [[e.id for e in first]]
    await asyncio.sleep(0)
    assert not waiting.done()
    # A socket that would have to wait: the page goes to the subscription's own task, and
    # the next page queues behind it even though the socket takes it again.
    takes[0] = False
    await record(conn, 2)
    second = await page(conn, hub.position)
    await hub.publish(second)
    takes[0] = True
    await record(conn, 1)
    third = await page(conn, hub.position)
    await hub.publish(third)
    got = [(await waiting).event.id]
    while len(got) < 3:
        got.append((await anext(stream)).event.id)
    assert got == [e.id for e in second + third]
    assert len(sent) == 1
    # Drained, it waits again, and the hub sends it the next page itself.
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    await record(conn, 1)
    fourth = await page(conn, hub.position)
    await hub.publish(fourth)
    assert sent[-1] == [e.id for e in fourth]
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    await stream.aclose()
    assert hub.count == 0


async def test_a_commit_after_a_quiet_spell_is_read_at_once_and_those_behind_it_together(
    conn: asyncpg.Connection, pg_dsn: str
) -> None:
    interval = 4.0
    loop = asyncio.get_running_loop()
    pages: list[tuple[float, list[Event]]] = []

    async def deliver(events: Any) -> None:
        pages.append((loop.time(), list(events)))

    listener = Listener(pg_dsn, deliver, poll_s=60, interval_s=interval)
    listener.position, _ = await event_repo.positions(conn)
    woken = listener.waiter()
    async with listening(listener):
        committed = loop.time()
        await record(conn, 1)
        # At once: well before the interval.
        await asyncio.wait_for(woken.wait(), interval / 2)
        woken.clear()
        # Behind the first, within the interval: read together, once it has passed.
        await record(conn, 3)
        await asyncio.wait_for(woken.wait(), 3 * interval)
    assert [len(events) for _, events in pages] == [1, 3]
    # (The listener's first read, as it connects, may have read the first commit.)
    assert pages[1][0] - committed > interval * 0.9
