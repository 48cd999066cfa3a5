"""The change feed's vocabulary: which events exist and what a request may ask for."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import InvalidInput

# A page of the feed; a subscriber catching up reads several.
MAX_EVENTS_PAGE = 500


class EventName(enum.Enum):
    VERSION_REGISTERED = "version.registered"
    VERSION_ARCHIVED = "version.archived"
    VERSION_RESTORED = "version.restored"
    TAGS_CHANGED = "version.tagged"
    ALIAS_MOVED = "alias.moved"
    # The links or the score of a version changed: its own curation, curation of a version it
    # links to (its producing analysis, say), or a new version of a lineage it floats to.
    PROVENANCE_CHANGED = "provenance.changed"


@dataclass(frozen=True)
class Event:
    """One committed change; ``id`` increases in commit order."""

    id: int
    at: datetime
    name: EventName
    payload: dict[str, Any]


def version_ref(name: str, payload: Any) -> str | None:
    """The version an event is about (for an alias move, the one it moved to), if any."""
    key = "to" if name == EventName.ALIAS_MOVED.value else "id"
    ref = payload.get(key) if isinstance(payload, dict) else None
    return ref if isinstance(ref, str) else None


def check_names(names: Sequence[str], field: str = "kinds") -> list[EventName]:
    """The events named; UNKNOWN_EVENT naming those that do not exist."""
    known = {e.value: e for e in EventName}
    unknown = sorted({n for n in names if n not in known})
    if unknown:
        raise InvalidInput(
            f"unknown event {', '.join(map(repr, unknown))}; known: {', '.join(known)}",
            field=field,
            code="UNKNOWN_EVENT",
        )
    return list(dict.fromkeys(known[n] for n in names))


def check_page(after: int, limit: int) -> None:
    if after < 0:
        raise InvalidInput("after is an event id, 0 or more", field="after")
    if not 1 <= limit <= MAX_EVENTS_PAGE:
        raise InvalidInput(f"limit is 1-{MAX_EVENTS_PAGE}", field="limit")
