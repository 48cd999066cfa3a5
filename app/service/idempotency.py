"""Run a write once per idempotency key, also when two calls with the key race."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from app.db.types import Conn
from app.errors import Conflict, InvalidInput
from app.repo import idempotency as idem_repo

MAX_KEY = 200


def fingerprint(operation: str, payload: Any) -> str:
    """A digest of what was asked, to tell a retry from a different request."""
    try:
        raw = orjson.dumps([operation, payload], option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:
        # Integers past 64 bits or very deep nesting: the write refuses them with a coded
        # error, so the digest must not fail first.
        raw = json.dumps([operation, payload], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


async def once(
    conn: Conn,
    *,
    actor: str,
    key: str | None,
    operation: str,
    payload: Any,
    write: Callable[[], Awaitable[str]],
) -> str:
    """Run ``write`` (which returns an artifact id) at most once for ``key``.

    The key is claimed in the write's own transaction: a racing call with the same key
    waits for it, then returns the first result; if the first call fails, the key is free.
    """
    if key is None:
        return await write()
    if not 1 <= len(key) <= MAX_KEY or "\x00" in key:
        raise InvalidInput(
            f"idempotency keys are 1-{MAX_KEY} characters, without NUL", field="idempotencyKey"
        )
    digest = fingerprint(operation, payload)
    async with conn.transaction():
        if await idem_repo.claim(conn, actor, key, operation, digest):
            artifact_id = await write()
            await idem_repo.complete(conn, actor, key, artifact_id)
            return artifact_id
        first = await idem_repo.get(conn, actor, key)
    if first.fingerprint != digest or first.artifact_id is None:
        raise Conflict(
            "this idempotency key was used for a different request",
            code="IDEMPOTENCY_KEY_REUSED",
        )
    return first.artifact_id
