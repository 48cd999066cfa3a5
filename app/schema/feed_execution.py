"""Each event's data, executed once for every subscription that asked the same question.

graphql-core executes a subscription's selection set once per event and subscriber. The
feed's subscriptions instead yield ``Shared`` deliveries (app.feed.hub): the first subscriber
of a group to reach one executes the selection over the event, with loaders of its own (the
data is read as it is now), and every other member is handed the same result.
"""

from __future__ import annotations

import inspect
from typing import Any

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.events import Event
from app.feed.hub import Shared
from app.schema.context import Context
from app.schema.errors import to_client_error
from app.schema.feed import FeedEvent


class _Prepared:
    """Stands where graphql-core expects the per-event executor; answers the shared result."""

    __slots__ = ("delivery", "executor")

    def __init__(self, executor: FeedExecutor, delivery: Shared) -> None:
        self.executor = executor
        self.delivery = delivery

    def execute_operation(self, *_: Any) -> Any:
        return self.delivery.result(self._execute)

    async def _execute(self, event: Event) -> ExecutionResult:
        per_event = self.executor.event_executor(FeedEvent.of(event))
        context = per_event.context_value
        if isinstance(context, Context):
            per_event.context_value = context.fresh()
        result = per_event.execute_operation(False)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        if result.errors:
            # Masked here, once: the errors are the same for every member.
            return ExecutionResult(result.data, [to_client_error(e) for e in result.errors])
        return result


class FeedExecutor(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        if isinstance(payload, Shared):
            return _Prepared(self, payload)
        return super().build_per_event_executor(payload)

    def event_executor(self, root: Any) -> Any:
        """The executor of this subscription's selection over ``root``."""
        return super().build_per_event_executor(root)
