"""What every resolver gets: the request, the database, the caller and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from app.auth import Principal
from app.db.database import Database
from app.loaders import Loaders
from app.settings import Settings


@dataclass
class Context:
    request: Request
    db: Database
    settings: Settings
    loaders: Loaders
    principal: Principal
