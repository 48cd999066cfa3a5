"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.repo import locks

READY_TIMEOUT_S = 2.0


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers within a short deadline."""
    pool: asyncpg.Pool = request.state.pool
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), pool.acquire() as conn:
            await locks.ping(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
