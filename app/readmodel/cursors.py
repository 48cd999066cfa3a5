"""Cursors of the nested lists: which list a cursor is for, and where in it a page ended.

A nested list's cursor is an app.search.cursor cursor whose fingerprint is the list's
identity: its type, its field and the order it is paged in. The parent is not part of it, so
one cursor pages that list under every parent of a query. The cursor holds the key of the
last item of a page in that order: a number (a version number, an alias move's sequence
number), an id, or a link's type and target lineage. A cursor of another list, of a top-level
list, or one whose key has the wrong shape is BAD_CURSOR. No I/O.
"""

from __future__ import annotations

from app.errors import InvalidInput
from app.readmodel import fields
from app.search import cursor
from app.search.cursor import BAD_CURSOR, Position

# The key of an item in its list's order.
Key = int | str | tuple[str, str]
# Between a link's type and its target lineage: neither holds it.
_SEPARATOR = "/"


def fingerprint(type_name: str, name: str) -> str:
    """The identity of the list field ``name`` of ``type_name`` that its cursors carry."""
    return f"{type_name}.{name} by {fields.order(fields.listed(type_name, name))}"


# The largest key of a numbered list, as its column holds it (integer, bigint): a forged
# larger one names no item, and binding it would fail.
_MAX_NUMBER = {fields.Versions: 2**31 - 1, fields.AliasMoves: 2**63 - 1}


def _numbered(type_name: str, name: str) -> int | None:
    """The largest key of a numbered list; None for a list keyed otherwise."""
    return _MAX_NUMBER.get(type(fields.listed(type_name, name)))


def _typed(type_name: str, name: str) -> bool:
    return isinstance(fields.listed(type_name, name), fields.AllLinks)


def encode(type_name: str, name: str, key: Key) -> str:
    """The cursor after the item with ``key`` in the list ``name`` of ``type_name``."""
    print_ = fingerprint(type_name, name)
    if isinstance(key, int):
        return cursor.encode(print_, Position(key, ""))
    if isinstance(key, tuple):
        return cursor.encode(print_, Position(None, _SEPARATOR.join(key)))
    return cursor.encode(print_, Position(None, key))


def _bad() -> InvalidInput:
    return InvalidInput(
        "the cursor is not one this list gave: it does not name an item of it",
        code=BAD_CURSOR,
        field="cursor",
    )


def decode(type_name: str, name: str, after: str | None) -> Key | None:
    """The key a page of the list ``name`` of ``type_name`` starts after (None: from the
    start); BAD_CURSOR for a cursor of another list, a tampered or a malformed one."""
    if after is None:
        return None
    position = cursor.decode(after, fingerprint(type_name, name))
    value, item = position.value, position.id
    largest = _numbered(type_name, name)
    if largest is not None:
        if isinstance(value, bool) or not isinstance(value, int) or item:
            raise _bad()
        if not 0 <= value <= largest:
            raise _bad()
        return value
    if value is not None or not item:
        raise _bad()
    if _typed(type_name, name):
        link_type, found, lineage = item.partition(_SEPARATOR)
        if not found or not link_type or not lineage:
            raise _bad()
        return (link_type, lineage)
    return item
