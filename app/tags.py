"""The rules of tags and archive reasons, checked before any write. Raise InvalidInput.

Keys read like Kubernetes label names without the prefix rules: 1 to 63 characters of
lower-case letters, digits, ``-``, ``_``, ``.`` and ``/``, starting and ending with a letter
or digit (``team``, ``data.split/holdout``). Values are any text up to 256 characters
without NUL, the empty string included. A version holds at most 50 tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.domain import Tag
from app.errors import InvalidInput

MAX_TAGS = 50
MAX_KEY = 63
MAX_VALUE = 256
MAX_REASON = 2000
# The migration's check constraint says the same.
KEY = re.compile(r"[a-z0-9](?:[a-z0-9._/-]{0,61}[a-z0-9])?")


def check_key(key: str, field: str = "tags") -> str:
    """``key`` if it is a valid tag key."""
    if not KEY.fullmatch(key):
        raise InvalidInput(
            f"tag key {key[:80]!r} is not 1 to {MAX_KEY} lower-case letters, digits, '-', '_', "
            "'.' or '/' starting and ending with a letter or digit",
            field=field,
        )
    return key


def valid_value(value: str) -> bool:
    """Whether ``value`` may be a tag value."""
    return len(value) <= MAX_VALUE and "\x00" not in value


def check_value(value: str, field: str = "tags") -> str:
    """``value`` if it is a valid tag value."""
    if len(value) > MAX_VALUE:
        raise InvalidInput(f"a tag value has at most {MAX_VALUE} characters", field=field)
    if "\x00" in value:
        raise InvalidInput("a tag value must not contain NUL characters", field=field)
    return value


def check_tags(tags: Sequence[Tag]) -> list[Tag]:
    """Valid tags with distinct keys, sorted by key."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"a version has at most {MAX_TAGS} tags", field="tags")
    seen: set[str] = set()
    for t in tags:
        check_key(t.key)
        check_value(t.value)
        if t.key in seen:
            raise InvalidInput(f"tag key {t.key!r} is given twice", field="tags")
        seen.add(t.key)
    return sorted(tags, key=lambda t: t.key)


def check_keys(keys: Sequence[str]) -> list[str]:
    """Valid, distinct tag keys to remove."""
    if len(keys) > MAX_TAGS:
        raise InvalidInput(f"a version has at most {MAX_TAGS} tags", field="keys")
    return sorted({check_key(k, "keys") for k in keys})


def check_reason(reason: str) -> str:
    """A reason, trimmed: required, at most MAX_REASON characters."""
    trimmed = reason.strip()
    if not trimmed:
        raise InvalidInput("a reason is required", field="reason")
    if len(trimmed) > MAX_REASON or "\x00" in trimmed:
        raise InvalidInput(
            f"a reason has at most {MAX_REASON} characters and no NUL", field="reason"
        )
    return trimmed


def parse_filter(text: str) -> tuple[str, str | None]:
    """A REST tag filter, ``key:value`` or ``key``, as (key, value or None)."""
    key, colon, value = text.partition(":")
    return check_key(key, "tag"), check_value(value, "tag") if colon else None
