"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.db.database import CONNECTION_ERRORS, Database
from app.errors import Unavailable
from app.repo import locks

READY_TIMEOUT_S = 2.0
NOT_READY: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    TimeoutError,
    Unavailable,
    *CONNECTION_ERRORS,
)


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers within a short deadline."""
    db: Database = request.state.db
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), db.connection() as conn:
            await locks.ping(conn)
    except NOT_READY:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
