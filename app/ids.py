"""What an id may look like: versions, lineages, ``lineage@alias``, and ids made from names.

A version id is its lineage id with ``-v<n>`` appended; a lineage id never ends that way. Ids
are URL-safe. Anything that cannot be an id names nothing, and is never sent to the database
(some text, such as NUL, PostgreSQL refuses to compare at all).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from app.errors import InvalidInput

# Every stored id (version or lineage) matches this; the tables check the same.
POSSIBLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
LINEAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,118}$")
VERSION_SUFFIX = re.compile(r"-v([0-9]+)$")
# An alias of a lineage (`production`, `champion`): lower case, digits, `-` and `_`.
ALIAS = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# What a client may write for a version: an id, or `lineage@alias` (documented in OpenAPI).
POSSIBLE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[a-z0-9][a-z0-9_-]{0,63})?$")
RESERVED_ALIAS = re.compile(r"^(latest|v[0-9]+)$")
MAX_LINEAGE_LENGTH = 119
_HASH_LENGTH = 8


def possible(ref: str) -> bool:
    """True when ``ref`` could name a version or a lineage."""
    return POSSIBLE_ID.fullmatch(ref) is not None


def possible_ref(ref: str) -> bool:
    """True when ``ref`` could name a version: an id, or ``lineage@alias``."""
    return parse_ref(ref) is not None


def possible_ids(refs: list[str] | tuple[str, ...]) -> list[str]:
    """The refs that could name something (ids and ``lineage@alias``), in their order."""
    return [r for r in refs if possible_ref(r)]


def aliased(refs: list[str] | tuple[str, ...]) -> bool:
    """True when some ref names a version through an alias."""
    return any("@" in r for r in refs)


def version_id(lineage_id: str, version_number: int) -> str:
    """The id of a lineage's version ``version_number``."""
    return f"{lineage_id}-v{version_number}"


def version_number(version: str) -> int | None:
    """The number a version id ends with, or None for a lineage id."""
    found = VERSION_SUFFIX.search(version)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class Ref:
    """A reference as a client writes it: an id (version or lineage), maybe ``@alias``."""

    id: str
    alias: str | None = None


def parse_ref(text: str) -> Ref | None:
    """What ``text`` refers to, or None when it cannot refer to anything."""
    base, at, alias = text.partition("@")
    if not possible(base):
        return None
    if not at:
        return Ref(base)
    if ALIAS.fullmatch(alias) is None or VERSION_SUFFIX.search(base):
        return None  # only lineages have aliases
    return Ref(base, alias)


def check_lineage_id(lineage_id: str) -> None:
    """Lineage ids are URL-safe and never look like a version id."""
    if not LINEAGE_ID.fullmatch(lineage_id):
        raise InvalidInput(
            "lineageId must be 1-119 characters of letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field="lineageId",
        )
    if VERSION_SUFFIX.search(lineage_id):
        raise InvalidInput(
            "lineageId must not end in -v<number>; that suffix names versions",
            field="lineageId",
        )


def check_alias(alias: str) -> None:
    """Aliases are 1-64 lower-case letters, digits, '-' or '_'; latest and v<n> are taken."""
    if ALIAS.fullmatch(alias) is None:
        raise InvalidInput(
            "an alias is 1-64 lower-case letters, digits, '-' or '_', starting with a letter "
            "or digit",
            field="alias",
        )
    if RESERVED_ALIAS.fullmatch(alias):
        raise InvalidInput(f"the alias {alias!r} is reserved", field="alias")


def derived_lineage_id(kind: str, *names: str) -> str:
    """A stable lineage id for something named outside the registry (an OpenLineage dataset,
    an MLflow model): the kind, a slug of the names, and a short hash of them, so that names
    that slug alike stay apart. At most 119 characters; it ends in the hash, never in -v<n>."""
    digest = hashlib.sha256("\x00".join(names).encode()).hexdigest()[:_HASH_LENGTH]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(names).lower()).strip("-")
    room = MAX_LINEAGE_LENGTH - len(kind) - len(digest) - 2
    slug = slug[:room].strip("-")
    return f"{kind}-{slug}-{digest}" if slug else f"{kind}-{digest}"
