"""Live subscriptions of one process, grouped by what they ask, and the fan-out of each page.

A group is every subscription with the same fingerprint (document, variables, the caller's
scopes): the events it wants are picked once per page, and each picked event becomes one
``Shared`` delivery whose data is executed once for all of the group's members.

A subscription waiting for the next live event, with nothing queued, is sent the page's
events for it by the hub itself (``direct``, one write for them all), in the pass that hands
the page on: no task of its own wakes. What cannot be sent at once is queued for the
subscription's task, and what follows queues behind it, so a subscriber's events keep their
order.

A subscription holds at most ``bound`` deliveries. Full while it catches up from the table,
it drops them and reads them again from the table (``lagging``); full while live, its client
is too slow and ``on_slow`` is called (the connection is closed; the client resumes with
``after``).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.db.types import Conn
from app.errors import RegistryError
from app.events import Event, EventName

# The version ids among those given that a subscription's filter matches (SQL, batched).
Matching = Callable[[Conn, Sequence[str]], Awaitable[set[str]]]
Run = Callable[[Callable[[Conn], Awaitable[Any]]], Awaitable[Any]]
# The texts of a page's events for one group, in order: each encoded, or why it could not be.
Encode = Callable[[Sequence[Event]], Awaitable[Sequence[str | BaseException]]]
# Sends a page of deliveries to its subscriber at once, all or none: False when it cannot
# without waiting (app.http.feed_socket).
Direct = Callable[["Page"], bool]
# Groups whose pages are encoded at once, and events of one group executed at once by
# graphql-core (each reads through its own loaders).
ENCODE_AT_ONCE = 16
# Events a subscription catching up from the table has encoded together (one compiled
# statement's worth), and so holds at most.
REPLAYED_AT_ONCE = 32


@dataclass(frozen=True)
class Interest:
    """Which events a subscription wants: by name, by a pure test, then by its filter."""

    names: frozenset[EventName]
    keep: Callable[[Event], bool] = lambda event: True
    matching: Matching | None = None

    async def pick(self, run: Run, events: Sequence[Event]) -> list[Event]:
        """The events of ``events`` this interest wants, in order (one statement at most)."""
        wanted = [e for e in events if e.name in self.names and self.keep(e)]
        if self.matching is None or not wanted:
            return wanted
        matching = self.matching
        ids = list(dict.fromkeys(str(e.payload["id"]) for e in wanted))
        matched: set[str] = await run(lambda c: matching(c, ids))
        return [e for e in wanted if e.payload["id"] in matched]


class Shared:
    """One event as delivered to a group: its data, executed once, awaited by every member."""

    __slots__ = ("event", "task", "text")

    def __init__(self, event: Event) -> None:
        self.event = event
        self.task: asyncio.Task[Any] | None = None
        self.text: asyncio.Future[str] | None = None

    def ready_text(self) -> str | None:
        """The encoded text, if it is there and encoding did not fail."""
        text = self.text
        if text is None or not text.done() or text.cancelled() or text.exception():
            return None
        return text.result()

    def settle(self, text: str | BaseException) -> None:
        """The text the hub encoded for this delivery, or why it could not."""
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if isinstance(text, BaseException):
            done.set_exception(text)
            done.exception()  # seen: a member that never asks must not log it as lost
        else:
            done.set_result(text)
        self.text = done

    async def result(self, execute: Callable[[Event], Awaitable[Any]]) -> Any:
        """The result of ``execute`` for this event, run by the first member that asks."""
        if self.task is None:
            # A task of its own: one member leaving must not cancel the others' result.
            self.task = asyncio.ensure_future(execute(self.event))
        return await asyncio.shield(self.task)

    async def encoded(self, execute: Callable[[Event], Awaitable[str]]) -> str:
        """The same, as the JSON text every member sends."""
        if self.text is None:
            self.text = asyncio.ensure_future(execute(self.event))
        return await asyncio.shield(self.text)


async def encode_all(encode: Encode, deliveries: Sequence[Shared]) -> None:
    """Settle each of ``deliveries`` with its text from one call of ``encode``, or with why
    there is none (its subscriber's task raises it, if it ever asks)."""
    try:
        texts: Sequence[str | BaseException] = await encode([d.event for d in deliveries])
    except Exception as exc:
        texts = [exc] * len(deliveries)
    for delivery, text in zip(deliveries, texts, strict=True):
        delivery.settle(text)


class Page:
    """A group's deliveries from one page of the feed, in order, and the bytes that send them
    by operation id: members that chose the same id (as clients numbering their operations
    do) send the same bytes, built once."""

    __slots__ = ("deliveries", "first", "last", "sent")

    def __init__(self, deliveries: Sequence[Shared]) -> None:
        self.deliveries = deliveries
        self.first = deliveries[0].event.id
        self.last = deliveries[-1].event.id
        self.sent: dict[str, bytes] = {}

    def past(self, cursor: int) -> Page | None:
        """The deliveries after ``cursor``: this page, most often; None if there are none."""
        if self.first > cursor:
            return self
        fresh = [d for d in self.deliveries if d.event.id > cursor]
        return Page(fresh) if fresh else None


@dataclass(eq=False, slots=True)
class Subscription:
    """One open subscription: where it is in the feed, and its live deliveries."""

    key: str
    interest: Interest
    cursor: int
    bound: int
    on_slow: Callable[[], None]
    # Events up to here were published before it joined: it reads them from the table.
    floor: int = 0
    encode: Encode | None = None
    direct: Direct | None = None
    replaying: bool = True
    # Its task waits for the next live delivery, with nothing queued or being sent.
    parked: bool = False
    lagging: bool = False
    joined: int = 0
    queue: collections.deque[Shared] = field(default_factory=collections.deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, delivery: Shared) -> None:
        if delivery.event.id <= self.cursor:
            return
        if len(self.queue) >= self.bound:
            if not self.replaying:
                self.on_slow()
                return
            self.queue.clear()
            self.lagging = True
        else:
            self.queue.append(delivery)
        self.ready.set()

    def offer_page(self, page: Page) -> None:
        """Offer a page's deliveries: sent at once if this subscription is waiting for them."""
        fresh = page.past(self.cursor)
        if fresh is None:
            return
        direct = self.direct
        if self.parked and not self.queue and not self.lagging and direct and direct(fresh):
            self.cursor = fresh.last
            return
        for delivery in fresh.deliveries:
            self.offer(delivery)

    def fall_behind(self) -> None:
        """Read the feed from the table again, up to wherever it is then."""
        self.lagging = True
        self.ready.set()

    def next_live(self) -> Shared | None:
        """The next live delivery past the cursor, if one is waiting."""
        while self.queue:
            delivery = self.queue.popleft()
            if delivery.event.id > self.cursor:
                self.cursor = delivery.event.id
                return delivery
        self.ready.clear()
        return None


class TooManySubscriptions(RegistryError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="TOO_MANY_SUBSCRIPTIONS")


class Hub:
    """The subscriptions of this process and the position of the feed they have been given."""

    def __init__(self, run: Run, *, max_subscriptions: int, bound: int) -> None:
        self.run = run
        self.max_subscriptions = max_subscriptions
        self.bound = bound
        # The last event id published (or, at start, the last one committed).
        self.position = 0
        self.groups: dict[str, set[Subscription]] = {}
        self.count = 0
        self._publishing = 0

    def add(
        self,
        key: str,
        interest: Interest,
        after: int | None,
        on_slow: Callable[[], None],
        encode: Encode | None = None,
        direct: Direct | None = None,
    ) -> Subscription:
        """Join the feed at ``after`` (None: from now); TOO_MANY_SUBSCRIPTIONS past the bound.

        ``encode`` gives the texts of a page's events for this subscription's group, if it
        has one: the hub then encodes each live page once, before handing it on, and
        ``direct`` sends them to this subscription when it can, in place of its task."""
        self.check_room()
        start = self.position if after is None else after
        sub = Subscription(
            key,
            interest,
            start,
            self.bound,
            on_slow,
            floor=self.position,
            encode=encode,
            direct=direct,
        )
        sub.joined = self._publishing
        self.groups.setdefault(key, set()).add(sub)
        self.count += 1
        return sub

    def check_room(self) -> None:
        """TOO_MANY_SUBSCRIPTIONS when the process holds as many as it may."""
        if self.count >= self.max_subscriptions:
            raise TooManySubscriptions(
                f"this server holds {self.max_subscriptions} subscriptions, its most"
            )

    def remove(self, sub: Subscription) -> None:
        members = self.groups.get(sub.key)
        if members is None or sub not in members:
            return
        members.discard(sub)
        self.count -= 1
        if not members:
            del self.groups[sub.key]

    async def publish(self, events: Sequence[Event]) -> None:
        """Hand a page of committed events, in id order, to every subscription that wants them."""
        if not events:
            return
        self._publishing += 1
        serial = self._publishing
        groups = [(key, next(iter(members))) for key, members in self.groups.items()]
        picked = await asyncio.gather(*(m.interest.pick(self.run, events) for _, m in groups))
        shared: dict[str, list[Shared]] = {}
        work: list[tuple[list[Shared], Encode]] = []
        for (key, member), wanted in zip(groups, picked, strict=True):
            shared[key] = [Shared(e) for e in wanted]
            if member.encode is not None and wanted:
                work.append((shared[key], member.encode))
        # Encoded before they are handed on, so no member waits for another's work; a few
        # groups at a time, so memory is bounded however many groups a page reaches.
        for start in range(0, len(work), ENCODE_AT_ONCE):
            chunk = work[start : start + ENCODE_AT_ONCE]
            await asyncio.gather(*(encode_all(encode, ds) for ds, encode in chunk))
        # From here on nothing awaits: no subscription joins or leaves halfway through.
        for key, members in self.groups.items():
            deliveries = shared.get(key)
            page = Page(deliveries) if deliveries else None
            for sub in list(members):
                if deliveries is None or sub.joined == serial:
                    # Joined while this page was being picked: it reads the page itself.
                    sub.fall_behind()
                elif page is not None:
                    sub.offer_page(page)
        self.position = max(self.position, events[-1].id)
