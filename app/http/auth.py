"""Who is calling, and whether they may read: the one place every surface asks."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.auth import ANONYMOUS, Principal, Scope
from app.service import tokens


async def principal(conn: HTTPConnection) -> Principal:
    """The caller behind the Authorization header (looked up once per request)."""
    # The scope's state dict itself: Starlette's State wrapper is made anew on each access.
    state = conn.scope["state"]
    known: Principal | None = state.get("principal")
    if known is not None:
        return known
    authorization = None
    for key, value in conn.scope["headers"]:
        if key == b"authorization":
            authorization = value.decode("latin-1")
    found = ANONYMOUS
    if authorization is not None:
        token = authorization
        found = await state["db"].run(lambda c: tokens.authenticate(c, token), retry=True)
    state["principal"] = found
    return found


async def reader(conn: HTTPConnection) -> Principal:
    """The caller, who must be allowed to read: with REGISTRY_REQUIRE_READ_AUTH, a token with
    the read scope; otherwise anyone (but a token given must be valid)."""
    found = await principal(conn)
    if conn.scope["state"]["settings"].require_read_auth:
        tokens.require_scope(found, Scope.READ)
    return found
