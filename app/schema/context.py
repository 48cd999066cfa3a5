"""What every resolver gets: the request, the database, the caller and this request's loaders."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

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
    # Over WebSocket: what connection_init carried, the connection (app.http.subscriptions)
    # and the fingerprint of the operation being run.
    connection_params: dict[str, Any] | None = None
    connection: Any = None
    operation_id: str = ""
    operation_key: str = ""
    # The subscription's executor (app.schema.feed_execution), set as its resolver starts.
    executor: Any = None
    _ran_since: float = field(default_factory=time.perf_counter)

    def fresh(self, *, primary: bool = False) -> Context:
        """The same caller with loaders of its own: nothing read before is reused; with
        ``primary``, every read goes to the primary."""
        db = self.db.on_primary() if primary else self.db
        return dataclasses.replace(
            self,
            db=db,
            loaders=Loaders(db, self.settings.max_response_objects),
            _ran_since=time.perf_counter(),
        )

    async def spend(self, objects: int) -> None:
        """Count objects a list returns (ResponseTooLarge past the budget); yield at times."""
        self.loaders.allowance.take(objects)
        now = time.perf_counter()
        if now - self._ran_since > YIELD_AFTER_S:
            await asyncio.sleep(0)
            self._ran_since = time.perf_counter()
