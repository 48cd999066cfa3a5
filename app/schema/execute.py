"""Run a read query for any surface: the compiled statement when it can, else the resolvers."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import HTTPConnection

from app.auth import ANONYMOUS, Principal
from app.errors import RegistryError
from app.loaders import Loaders
from app.schema import schema
from app.schema.context import Context
from app.schema.fastpath import FastPath


def context_for(conn: HTTPConnection, principal: Principal) -> Context:
    """What resolvers see for this request."""
    db = conn.state.db
    settings = conn.state.settings
    return Context(
        request=conn,
        db=db,
        settings=settings,
        loaders=Loaders(db, settings.max_response_objects),
        principal=principal,
    )


async def read(conn: HTTPConnection, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a read query, or the first error as a RegistryError with its code."""
    fastpath: FastPath | None = conn.state.fastpath
    if fastpath is not None:
        answered = await fastpath.execute(conn.state.db, query, variables, None)
        if answered is not None:
            data: dict[str, Any] = orjson.loads(answered[0])
            return data
    result = await schema.execute(
        query, variable_values=variables, context_value=context_for(conn, ANONYMOUS)
    )
    if result.errors:
        first = result.errors[0]
        extensions = dict(first.extensions or {})
        code = extensions.pop("code", "INTERNAL_SERVER_ERROR")
        # A GraphQL field's name is not a REST parameter's: the caller names the parameter.
        extensions.pop("field", None)
        raise RegistryError(first.message, code=code, **extensions)
    assert result.data is not None
    return result.data
