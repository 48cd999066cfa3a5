"""One subscription's events: those it missed, read from the table, then the live ones.

The hub publishes events in id order and a subscription's cursor is the last id it was given,
so switching from the table to the live queue (and back, when it falls behind) skips what it
has and misses nothing: every id the hub will not offer it is at most ``hub.position`` at the
time, and the table is read up to there.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable

from app.errors import InvalidInput
from app.events import MAX_EVENTS_PAGE
from app.feed.hub import (
    REPLAYED_AT_ONCE,
    Direct,
    Encode,
    Hub,
    Interest,
    Run,
    Shared,
    Subscription,
    encode_all,
)
from app.repo import events as event_repo
from app.service import feed as feed_service


async def _replay(run: Run, sub: Subscription, target: int) -> AsyncIterator[Shared]:
    names = sorted(sub.interest.names, key=lambda n: n.value)
    while sub.cursor < target:
        read = functools.partial(
            event_repo.after, after_id=sub.cursor, names=names, limit=MAX_EVENTS_PAGE
        )
        page = await run(read)
        within = [e for e in page if e.id <= target]
        picked = await sub.interest.pick(run, within)
        for start in range(0, len(picked), REPLAYED_AT_ONCE):
            chunk = [Shared(e) for e in picked[start : start + REPLAYED_AT_ONCE]]
            if sub.encode is not None:
                await encode_all(sub.encode, chunk)
            for delivery in chunk:
                sub.cursor = delivery.event.id
                yield delivery
        if len(within) < len(page) or len(page) < MAX_EVENTS_PAGE:
            sub.cursor = max(sub.cursor, target)
        elif within:
            sub.cursor = max(sub.cursor, within[-1].id)


async def check_start(hub: Hub, after: int | None) -> None:
    """Refuse, with its code, a subscription that could not start."""
    hub.check_room()
    if after is not None:
        if after < 0:
            raise InvalidInput("after is an event id, 0 or more", field="after")
        await hub.run(lambda c: feed_service.check_resumable(c, after))


async def deliveries(
    hub: Hub,
    key: str,
    interest: Interest,
    after: int | None,
    on_slow: Callable[[], None],
    encode: Encode | None = None,
    direct: Direct | None = None,
) -> AsyncIterator[Shared]:
    """The deliveries of one subscription until it is closed; ``after`` resumes past an id
    (checked by ``check_start`` first). Live deliveries that ``direct`` sent are not among
    them."""
    sub = hub.add(key, interest, after, on_slow, encode, direct)
    try:
        while True:
            while sub.lagging or sub.cursor < sub.floor:
                sub.lagging = False
                sub.replaying = True
                async for missed in _replay(hub.run, sub, hub.position):
                    yield missed
            sub.replaying = False
            delivery = sub.next_live()
            if delivery is None:
                sub.parked = True
                try:
                    await sub.ready.wait()
                finally:
                    sub.parked = False
                continue
            yield delivery
    finally:
        hub.remove(sub)
