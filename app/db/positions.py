"""WAL positions as clients see them, and which replica may answer a read. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import RegistryError

HEADER = "X-Registry-Position"
# PostgreSQL's own text form of a pg_lsn: two hexadecimal halves of a 64-bit byte position.
_TEXT = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")


class BadPosition(RegistryError):
    code = "BAD_POSITION"


def parse(text: str) -> int:
    """The byte position a client sent back; BadPosition unless it is one we would send."""
    found = _TEXT.fullmatch(text.strip())
    if found is None:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise BadPosition(
            f"{HEADER} must be a WAL position as a write answered it (such as 0/16B3748),"
            f" got {shown!r}"
        )
    return int(found[1], 16) << 32 | int(found[2], 16)


def render(position: int) -> str:
    """The text a write answers with: the form PostgreSQL prints a pg_lsn in."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


@dataclass(frozen=True)
class ReplicaState:
    """What the last poll saw: how far a replica replayed, how far the primary had written."""

    replayed: int | None  # None: unreachable, or not replaying (a primary)
    primary: int | None = None

    @property
    def lag_bytes(self) -> int | None:
        if self.replayed is None or self.primary is None:
            return None
        return max(0, self.primary - self.replayed)


DOWN = ReplicaState(None)


def can_serve(state: ReplicaState, floor: int | None, max_lag_bytes: int) -> bool:
    """Whether a replica in ``state`` may answer a read that must see ``floor``.

    A replica whose lag is unknown (the primary did not answer the poll) serves reads without
    a floor only if it replays; bytes, not seconds, measure lag, as time lag grows on an
    idle primary.
    """
    if state.replayed is None:
        return False
    if floor is not None and state.replayed < floor:
        return False
    lag = state.lag_bytes
    return lag is None or lag <= max_lag_bytes
