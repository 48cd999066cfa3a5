"""Drive the real Starlette app in-process, lifespan included, and count its SQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from asyncpg.connection import LoggedQuery
from starlette.types import Receive, Scope, Send

from app.main import create_app
from app.settings import Settings


@dataclass(eq=False)
class StatementCounter:
    statements: list[str] = field(default_factory=list)
    arguments: list[tuple[Any, ...]] = field(default_factory=list)

    def __call__(self, q: LoggedQuery) -> None:
        self.statements.append(q.query)
        self.arguments.append(tuple(q.args))

    def reset(self) -> None:
        self.statements.clear()
        self.arguments.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class Api:
    client: httpx.AsyncClient
    sql: StatementCounter
    state: dict[str, Any]

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, **kw
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@contextlib.asynccontextmanager
async def running_app(dsn: str, env: dict[str, str] | None = None) -> AsyncIterator[Api]:
    """The app with its lifespan started, behind an httpx client."""
    counter = StatementCounter()
    # No webhook deliveries unless asked for: the worker's statements would land in the counts.
    settings = Settings.from_env(
        {"DB_POOL_MIN": "1", "REGISTRY_WEBHOOK_DELIVERY": "0", **(env or {})}
    )
    app = create_app(settings, dsn, query_logger=counter)
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            scope["state"] = dict(state or {})
            await app(scope, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://registry.test"
        ) as client:
            yield Api(client, counter, dict(state or {}))
