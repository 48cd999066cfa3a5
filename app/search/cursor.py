"""Opaque cursors for keyset paging: where a page ended, and which question it answered.

A cursor holds the sort key of the last item of a page (its value and id) and the
fingerprint of the filter and sort it was made for. It is base64url JSON with a checksum,
and needs no secret: any process reads it, and forging one only names another position in
the same list. A cursor of another sort or filter, a tampered one or a malformed one is
BAD_CURSOR.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

import orjson

from app.errors import InvalidInput

BAD_CURSOR = "BAD_CURSOR"
MAX_CURSOR = 1024  # characters: a cursor holds one sort value, one id and a fingerprint
_VERSION = 1

# A sort value as a cursor holds it: a number, a time, or None (the item lacks the metric
# sorted by, so it sits in the part of the list after every item that has it).
SortValue = float | int | datetime | None


@dataclass(frozen=True)
class Position:
    """The last item of a page: its sort value and id."""

    value: SortValue
    id: str


def _checksum(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode(print_: str, position: Position) -> str:
    """The cursor after ``position`` in the list fingerprinted ``print_``."""
    value = position.value
    raw: object = value.isoformat() if isinstance(value, datetime) else value
    body = orjson.dumps([_VERSION, print_, raw, position.id, isinstance(value, datetime)])
    return f"{_b64(body)}.{_checksum(body)}"


def _bad(why: str) -> InvalidInput:
    return InvalidInput(f"the cursor is not one this list gave: {why}", code=BAD_CURSOR,
                        field="cursor")  # fmt: skip


def decode(cursor: str, print_: str) -> Position:
    """The position ``cursor`` names in the list fingerprinted ``print_``; BAD_CURSOR when it
    is malformed, tampered with, or made for another filter or sort."""
    if not cursor or len(cursor) > MAX_CURSOR or not cursor.isascii() or cursor.count(".") != 1:
        raise _bad("it is not a cursor")
    packed, check = cursor.split(".")
    try:
        body = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
    except (binascii.Error, ValueError):
        raise _bad("it does not decode") from None
    if check != _checksum(body):
        raise _bad("its checksum does not match")
    try:
        version, made_for, raw, item, is_time = orjson.loads(body)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        raise _bad("it does not decode") from None
    if version != _VERSION or not isinstance(item, str) or not isinstance(is_time, bool):
        raise _bad("it does not decode")
    if made_for != print_:
        raise _bad("it was made for another filter or sort")
    return Position(_value(raw, is_time), item)


def _value(raw: object, is_time: bool) -> SortValue:
    if is_time:
        if not isinstance(raw, str):
            raise _bad("it does not decode")
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise _bad("it does not decode") from None
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise _bad("it does not decode")
    return raw
