"""Reading the change feed: a page of events, and the subscriptions' filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import events
from app.db.types import Conn
from app.errors import InvalidInput, RegistryError
from app.events import Event
from app.repo import catalog as catalog_repo
from app.repo import events as event_repo
from app.repo.catalog import ModelQuery


@dataclass(frozen=True)
class EventPage:
    items: list[Event]
    # The last id given so far, and the first that retention has not deleted.
    last_id: int
    oldest_id: int


def pruned(after: int, pruned_through: int) -> RegistryError:
    """EVENTS_PRUNED for a resume point before what retention kept."""
    return RegistryError(
        f"events up to id {pruned_through} were deleted by retention: reading after {after} "
        f"would miss some; start again after {pruned_through}",
        code="EVENTS_PRUNED",
        oldestEventId=pruned_through + 1,
    )


async def check_resumable(conn: Conn, after: int) -> None:
    """EVENTS_PRUNED when events past ``after`` were deleted by retention."""
    _, pruned_through = await event_repo.positions(conn)
    if after < pruned_through:
        raise pruned(after, pruned_through)


async def page(conn: Conn, after: int, kinds: Sequence[str] | None, limit: int) -> EventPage:
    """Up to ``limit`` events past ``after`` (of the names ``kinds``, all when None), oldest
    first; EVENTS_PRUNED when retention deleted some of those."""
    names = events.check_names(kinds or [])
    if kinds is not None and not names:
        raise InvalidInput("kinds names no event: leave it out for all", field="kinds")
    events.check_page(after, limit)
    last, pruned_through = await event_repo.positions(conn)
    if after < pruned_through:
        raise pruned(after, pruned_through)
    found = await event_repo.after(conn, after, names, limit)
    return EventPage(found, last, pruned_through + 1)


async def matching_models(conn: Conn, q: ModelQuery | None, version_ids: Sequence[str]) -> set[str]:
    """Which of ``version_ids`` a model list's filter matches; none when it names nothing."""
    if q is None:
        return set()
    return await catalog_repo.matching_models(conn, q, version_ids)
