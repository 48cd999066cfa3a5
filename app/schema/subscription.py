"""The root Subscription: the change feed, live over WebSocket (graphql-transport-ws).

Every field takes ``after``: the last event id the client has seen. It is given what it
missed first, read from the table, then the live events, without a gap or a repeat. Left out,
the subscription starts with the next event committed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.utils.aio import aclosing

from app.domain import Kind
from app.errors import InvalidInput
from app.events import EventName, check_names
from app.feed.feed import CLOSE_SLOW_CONSUMER, Feed
from app.feed.hub import Interest
from app.feed.stream import check_start, deliveries
from app.schema.feed import EVENT_KINDS, KINDS, FeedEvent
from app.schema.filter_inputs import ModelFilter, catalog_filter
from app.schema.scalars import BigInt
from app.schema.types import Info
from app.schema.values import ArtifactKind
from app.service import catalog, feed

RESUME = Annotated[
    BigInt | None,
    strawberry.argument(
        description="Resume after this event id: the events missed since come first. "
        "EVENTS_PRUNED when retention deleted some of them."
    ),
]
Events = AsyncGenerator[FeedEvent, None]


async def _open(info: Info, interest: Interest, after: int | None) -> AsyncGenerator[Any, None]:
    """The subscription's stream, once it may start: refusals come before it, as the
    protocol's ``error`` message."""
    found = info.context.request.scope["state"].get("feed")
    if not isinstance(found, Feed) or info.context.connection is None:
        raise InvalidInput("subscriptions are served over WebSocket (graphql-transport-ws)")
    await check_start(found.hub, after)
    return _stream(info, found, interest, after)


async def _stream(
    info: Info, found: Feed, interest: Interest, after: int | None
) -> AsyncGenerator[Any, None]:
    context = info.context
    connection = context.connection

    def slow() -> None:
        connection.close_soon(CLOSE_SLOW_CONSUMER, "slow consumer: resume with after")

    executor = context.executor
    encode = direct = None
    if executor is not None:
        # Live events are sent by the hub itself while this waits for them.
        encode, direct = executor.encode_events, connection.sender(context.operation_id)
    stream = deliveries(found.hub, context.operation_key, interest, after, slow, encode, direct)
    async with aclosing(stream):
        async for delivery in stream:
            if executor is None:
                yield delivery
                continue
            # Encoded already: live events once per group by the hub, missed ones a few at a
            # time as they are read; sent from here when the hub could not send it at once.
            text = delivery.ready_text()
            if text is None:
                text = await delivery.encoded(executor.encode_event)
            await connection.send_next(context.operation_id, text)


def _of_kind(kind: Kind | None) -> Any:
    if kind is None:
        return lambda e: True
    return lambda e: e.payload.get("kind") == kind.value


def _version_of(ref: str) -> Any:
    return lambda e: e.payload.get("id") == ref or e.payload.get("lineageId") == ref


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="New versions, of one kind if given; `filter` (models only) is the "
        "model list's, evaluated on each new version."
    )
    async def version_registered(
        self,
        info: Info,
        kind: ArtifactKind | None = None,
        filter: ModelFilter | None = None,
        after: RESUME = None,
    ) -> Events:
        if filter is not None and kind not in (None, Kind.MODEL):
            raise InvalidInput("filter is a model filter: give kind MODEL or none", field="filter")
        keep = _of_kind(Kind.MODEL if filter is not None else kind)
        matching = None
        if filter is not None:
            wanted, where = catalog_filter(filter)
            q = await info.context.loaders.run(
                lambda c: catalog.model_query(c, wanted, "created_at", "desc", 1, 0, where=where)
            )
            matching = lambda c, ids: feed.matching_models(c, q, ids)  # noqa: E731
        interest = Interest(frozenset({EventName.VERSION_REGISTERED}), keep, matching)
        return await _open(info, interest, after)

    @strawberry.subscription(description="Moves of the aliases of one lineage.")
    async def alias_moved(
        self, info: Info, lineage_id: strawberry.ID, after: RESUME = None
    ) -> Events:
        ref = str(lineage_id)
        interest = Interest(
            frozenset({EventName.ALIAS_MOVED}), lambda e: e.payload.get("lineageId") == ref
        )
        return await _open(info, interest, after)

    @strawberry.subscription(
        description="Changes to the provenance (links, score, warnings) of a version, or of "
        "any version of a lineage id."
    )
    async def provenance_changed(
        self, info: Info, id: strawberry.ID, after: RESUME = None
    ) -> Events:
        interest = Interest(frozenset({EventName.PROVENANCE_CHANGED}), _version_of(str(id)))
        return await _open(info, interest, after)

    @strawberry.subscription(description=f"Every event, or those of `kinds` ({KINDS}).")
    async def events(self, info: Info, kinds: EVENT_KINDS = None, after: RESUME = None) -> Events:
        names = list(EventName) if kinds is None else check_names(kinds)
        if not names:
            raise InvalidInput("kinds names no event: leave it out for all", field="kinds")
        return await _open(info, Interest(frozenset(names)), after)
