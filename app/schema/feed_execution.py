"""Each event's data, executed once for every subscription that asked the same question.

graphql-core executes a subscription's selection set once per event and subscriber. The
feed's deliveries are ``Shared`` (app.feed.hub): the first subscriber of a group to reach one
executes the selection over the event, with loaders of its own (the data is read as it is
now), and every other member is handed the same result. Over WebSocket the subscription
sends it itself, encoded once (app.schema.subscription); elsewhere it yields the delivery
and graphql-core's per-event step is answered with the shared result.
"""

from __future__ import annotations

import inspect
from typing import Any

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.events import Event
from app.feed.hub import Shared
from app.schema.context import Context
from app.schema.errors import to_client_error
from app.schema.feed import FeedEvent, json_text


class _Prepared:
    """Stands where graphql-core expects the per-event executor; answers the shared result."""

    __slots__ = ("delivery", "executor")

    def __init__(self, executor: FeedExecutor, delivery: Shared) -> None:
        self.executor = executor
        self.delivery = delivery

    def execute_operation(self, *_: Any) -> Any:
        return self.delivery.result(self.executor.execute_event)


class FeedExecutor(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        if isinstance(payload, Shared):
            return _Prepared(self, payload)
        return super().build_per_event_executor(payload)

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        # A subscription's resolver runs its selection per event itself: it needs this.
        if self.operation.operation is OperationType.SUBSCRIPTION and isinstance(
            self.context_value, Context
        ):
            self.context_value.executor = self
        return super().build_resolve_info(*args, **kwargs)

    async def execute_event(self, event: Event) -> ExecutionResult:
        """This subscription's selection over ``event``, read now, errors masked."""
        per_event = super().build_per_event_executor(FeedEvent.of(event))
        context = per_event.context_value
        if isinstance(context, Context):
            # The event was just committed: a replica may not show it yet.
            per_event.context_value = context.fresh(primary=True)
        result = per_event.execute_operation(False)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        if result.errors:
            # Masked here, once: the errors are the same for every member.
            return ExecutionResult(result.data, [to_client_error(e) for e in result.errors])
        return result

    async def encode_event(self, event: Event) -> str:
        """The ``payload`` of a ``next`` message for ``event``, as JSON text."""
        result = await self.execute_event(event)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return json_text(body)
