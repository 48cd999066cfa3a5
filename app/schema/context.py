"""What every resolver gets: the request, the database, the caller and this request's loaders."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from app.auth import Principal
from app.db.database import Database
from app.loaders import Loaders
from app.settings import Settings

# A resolver chain that ran this long lets other requests in before it goes on. Lists are
# where the work is, so they are where it yields; the tasks graphql-core runs for the fields
# of a list interleave with other requests' by themselves. Measured on the heaviest request
# the response budget admits (tests/test_no_stall.py), no turn of the event loop takes longer
# than 0.5 s, 5% of the default deadline.
YIELD_AFTER_S = 0.05


@dataclass
class Context:
    request: HTTPConnection
    db: Database
    settings: Settings
    loaders: Loaders
    principal: Principal
    _ran_since: float = field(default_factory=time.perf_counter)

    async def spend(self, objects: int) -> None:
        """Count objects a list returns (ResponseTooLarge past the budget); yield at times."""
        self.loaders.allowance.take(objects)
        now = time.perf_counter()
        if now - self._ran_since > YIELD_AFTER_S:
            await asyncio.sleep(0)
            self._ran_since = time.perf_counter()
