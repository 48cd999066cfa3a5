"""Who is calling, and whether they may read: the one place every surface asks."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.auth import ANONYMOUS, Principal, Scope
from app.service import tokens


async def principal(conn: HTTPConnection) -> Principal:
    """The caller behind the Authorization header (looked up once per request)."""
    known: Principal | None = getattr(conn.state, "principal", None)
    if known is not None:
        return known
    authorization = conn.headers.get("authorization")
    found = ANONYMOUS
    if authorization is not None:
        found = await conn.state.db.run(lambda c: tokens.authenticate(c, authorization), retry=True)
    conn.state.principal = found
    return found


async def reader(conn: HTTPConnection) -> Principal:
    """The caller, who must be allowed to read: with REGISTRY_REQUIRE_READ_AUTH, a token with
    the read scope; otherwise anyone (but a token given must be valid)."""
    found = await principal(conn)
    if conn.state.settings.require_read_auth:
        tokens.require_scope(found, Scope.READ)
    return found
