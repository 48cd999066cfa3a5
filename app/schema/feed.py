"""The change feed's types: an event, a page of them, and the ``events`` query."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, cast

import orjson
import strawberry

from app import events
from app.events import Event, EventName
from app.schema.scalars import JSON, BigInt
from app.schema.types import Artifact, Info, to_gql
from app.service import feed


def json_text(value: Any) -> str:
    """JSON as text (WebSocket messages are text frames)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers past 64 bits in a JSON value
        return json.dumps(value)


KINDS = ", ".join(f"`{n.value}`" for n in EventName)


@strawberry.type(name="Event", description="One committed change; ids increase in commit order.")
class FeedEvent:
    id: BigInt
    at: datetime
    name: str = strawberry.field(description=f"What happened: one of {KINDS}.")
    payload: JSON = strawberry.field(
        description="What the event names: a version's `id`, `lineageId`, `kind` and "
        "`version`; an alias move's `lineageId`, `alias`, `from`, `to` and `reason`."
    )

    @strawberry.field(
        description="The version the event is about (for an alias move, the one it moved to), "
        "as it is now; null when there is none."
    )
    async def version(self, info: Info) -> Artifact | None:
        ref = events.version_ref(self.name, self.payload)
        if ref is None:
            return None
        found = await info.context.loaders.artifact.load(ref)
        return to_gql(found) if found else None

    @classmethod
    def of(cls, e: Event) -> FeedEvent:
        return cls(id=BigInt(e.id), at=e.at, name=e.name.value, payload=cast(JSON, e.payload))


@strawberry.type(description="A page of the change feed, oldest first.")
class EventPage:
    items: list[FeedEvent]
    last_event_id: BigInt = strawberry.field(
        description="The last id given so far: `after` it, a reader has seen everything."
    )
    oldest_event_id: BigInt = strawberry.field(
        description="The first id retention has not deleted: resuming `after` an id before "
        "`oldestEventId - 1` is EVENTS_PRUNED."
    )


AFTER = Annotated[
    BigInt,
    strawberry.argument(description="Events with a larger id: the last id a client has seen."),
]
EVENT_KINDS = Annotated[
    list[str] | None,
    strawberry.argument(description=f"Only these events ({KINDS}); all when left out."),
]


START = BigInt(0)


async def events_page(
    info: Info, after: AFTER = START, kinds: EVENT_KINDS = None, limit: int = 100
) -> EventPage:
    found = await info.context.loaders.run(lambda c: feed.page(c, after, kinds, limit))
    await info.context.spend(len(found.items))
    return EventPage(
        items=[FeedEvent.of(e) for e in found.items],
        last_event_id=BigInt(found.last_id),
        oldest_event_id=BigInt(found.oldest_id),
    )


def events_field() -> Any:
    return strawberry.field(
        resolver=events_page,
        description="The change feed: events after an id, oldest first, at most "
        f"`limit` (1-{events.MAX_EVENTS_PAGE}). UNKNOWN_EVENT for a name in `kinds` that "
        "does not exist; EVENTS_PRUNED when retention deleted events past `after`.",
    )
