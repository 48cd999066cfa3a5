"""A least-recently-used cache bounded by the bytes its entries weigh, not by their count.

Keys come from requests (query texts, variable values), so a count bound alone lets a client
fill memory with a few thousand megabyte-sized keys.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ByteBoundedCache(Generic[K, V]):
    """Entries weigh what the caller says; the total stays under ``max_bytes``.

    An entry heavier than ``max_entry_bytes`` is not kept at all: a request that large pays
    for its own work every time instead of evicting everyone else's.
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """The weight of the entries held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> tuple[bool, V | None]:
        """(True, value) when ``key`` is held, else (False, None)."""
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        self._entries.move_to_end(key)
        return True, entry[0]

    def put(self, key: K, value: V, weight: int) -> bool:
        """Keep ``value`` under ``key`` unless it weighs too much; True when kept."""
        if weight > self.max_entry_bytes:
            return False
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._entries[key] = (value, weight)
        self._bytes += weight
        while self._bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._bytes -= dropped
        return True

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
