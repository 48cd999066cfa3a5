"""How REST reads its query parameters, every one the same way.

A parameter may come under its REST name or under the name the pages put in their URLs (the
catalog writes ``direction`` where REST says ``order``), and any number of times. Values are
read first, then compared, so ``order=desc&direction=DESC`` agree and ``order=asc&order=desc``
do not. Enum values are accepted in any case. A list parameter (``ids``) takes values separated
by commas or white space, repeated or not, and keeps them all in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, TypeVar, overload

from app.errors import InvalidInput

T = TypeVar("T")

# The pages' names for REST parameters (static/catalog.js writes them in its URLs).
ALIASES: dict[str, tuple[str, ...]] = {
    "order": ("direction",),
    "q": ("search",),
    "latest": ("latestOnly",),
}
_SEPARATORS = re.compile(r"[\s,]")
TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")


class Query(Protocol):
    """What REST needs of a query string: every value given under a name, in order."""

    def getlist(self, key: str) -> list[str]: ...


def spellings(name: str) -> tuple[str, ...]:
    """Every name parameter ``name`` is accepted under, the REST name first."""
    return (name, *ALIASES.get(name, ()))


def _one(query: Query, name: str, read: Callable[[str, str], T | None]) -> T | None:
    """The value of ``name`` under any spelling, read by ``read(spelling, raw)``, or None."""
    found: list[tuple[str, str, T]] = []
    for spelling in spellings(name):
        for raw in query.getlist(spelling):
            value = read(spelling, raw)
            if value is not None:
                found.append((spelling, raw, value))
    if not found:
        return None
    first = found[0][2]
    if any(value != first for _, _, value in found[1:]):
        given = ", ".join(f"{spelling}={raw!r}" for spelling, raw, _ in found)
        raise InvalidInput(
            f"{name} is given more than once with different values ({given}); give it once",
            code="CONFLICTING_PARAMETERS",
            parameter=name,
        )
    return first


@overload
def choice(query: Query, name: str, choices: tuple[str, ...], default: str) -> str: ...
@overload
def choice(query: Query, name: str, choices: tuple[str, ...], default: None) -> str | None: ...
def choice(query: Query, name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    """One of ``choices`` (lower case), whatever the case it was given in; else ``default``."""

    def read(spelling: str, raw: str) -> str:
        value = raw.lower()
        if value not in choices:
            raise InvalidInput(
                f"{spelling} must be one of {', '.join(choices)}, got {raw!r}", parameter=spelling
            )
        return value

    found = _one(query, name, read)
    return default if found is None else found


def integer(query: Query, name: str, default: int) -> int:
    """An integer parameter."""

    def read(spelling: str, raw: str) -> int:
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(
                f"{spelling} must be an integer, got {raw!r}", parameter=spelling
            ) from None

    found = _one(query, name, read)
    return default if found is None else found


def flag(query: Query, name: str) -> bool:
    """A boolean parameter: true, 1 or yes; false, 0 or no; in any case."""

    def read(spelling: str, raw: str) -> bool:
        value = raw.lower()
        if value not in TRUE + FALSE:
            raise InvalidInput(f"{spelling} must be true or false", parameter=spelling)
        return value in TRUE

    return _one(query, name, read) or False


def text(query: Query, name: str) -> str | None:
    """A text parameter; an empty one counts as not given."""
    return _one(query, name, lambda spelling, raw: raw or None)


def id_list(query: Query, name: str) -> list[str]:
    """Every id of a list parameter: ``ids=a,b``, ``ids=a&ids=b`` and ``ids=a,b&ids=c`` alike.

    Commas and white space separate ids, as on the compare page (no id holds either); empty
    entries are kept for the service, which refuses a list of them whatever form it came in.
    """
    values = [raw for spelling in spellings(name) for raw in query.getlist(spelling)]
    if not any(values):
        raise InvalidInput(
            f"{name} is required: a comma-separated list of model ids, or {name} repeated",
            parameter=name,
        )
    return [part for raw in values for part in _SEPARATORS.split(raw)]
