"""What every resolver gets: the request, the pool, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from starlette.requests import Request

from app.auth import Principal
from app.loaders import Loaders
from app.settings import Settings


@dataclass
class Context:
    request: Request
    pool: asyncpg.Pool
    settings: Settings
    loaders: Loaders
    principal: Principal
