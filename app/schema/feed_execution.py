"""Each event's data, executed once for every subscription that asked the same question.

graphql-core executes a subscription's selection set once per event and subscriber. The
feed's deliveries are ``Shared`` (app.feed.hub): over WebSocket the hub has a page's events
encoded once per group (``encode_events``), by the compiled statement where the selection
allows it (app.schema.feed_compiled) and by graphql-core otherwise, with loaders of their
own (the data is read as it is now), and the subscription sends the text
(app.schema.subscription); elsewhere it yields the delivery and graphql-core's per-event
step is answered with the shared result.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Sequence
from typing import Any, cast

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.errors import RegistryError
from app.events import Event
from app.feed.hub import ENCODE_AT_ONCE, Shared
from app.schema import feed_compiled
from app.schema.context import Context
from app.schema.errors import to_client_error
from app.schema.feed import FeedEvent, json_text

log = logging.getLogger(__name__)


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
        (text,) = await self.encode_events([event])
        if isinstance(text, BaseException):
            raise text
        return text

    async def encode_events(self, events: Sequence[Event]) -> list[str | BaseException]:
        """The same for each of a page's events, in one statement where the selection
        compiles; what it does not answer, graphql-core does (a few at a time)."""
        texts: list[str | BaseException | None] = [None] * len(events)
        selection = self._selection
        context = self.context_value
        if selection is not None and isinstance(context, Context):
            primary = context.fresh(primary=True)
            budget = context.settings.max_response_objects
            try:
                compiled = await feed_compiled.encode(
                    selection, primary.loaders.run, events, budget
                )
                texts[:] = compiled
            except RegistryError:
                pass  # the database failed: the resolvers give each event its error
            except Exception:
                log.exception("compiled feed read failed; falling back to the resolvers")
        missing = [i for i, t in enumerate(texts) if t is None]
        for start in range(0, len(missing), ENCODE_AT_ONCE):
            chunk = missing[start : start + ENCODE_AT_ONCE]
            done = await asyncio.gather(
                *(self._resolved_text(events[i]) for i in chunk), return_exceptions=True
            )
            for i, text in zip(chunk, done, strict=True):
                texts[i] = text
        self._count(len(events) - len(missing), len(missing))
        return cast(list[str | BaseException], texts)

    async def _resolved_text(self, event: Event) -> str:
        result = await self.execute_event(event)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return json_text(body)

    @functools.cached_property
    def _selection(self) -> feed_compiled.FeedSelection | None:
        context = self.context_value
        if not isinstance(context, Context) or not context.settings.fast_path:
            return None
        if any(f.variable_signatures for f in self.fragments.values()):
            return None
        fragments = {name: f.definition for name, f in self.fragments.items()}
        try:
            return feed_compiled.compile_selection(
                self.schema, self.operation, fragments, self.variable_values
            )
        except Exception:
            log.exception("compiling a subscription failed; the resolvers answer it")
            return None

    def _count(self, compiled: int, resolved: int) -> None:
        context = self.context_value
        if isinstance(context, Context):
            metrics = context.request.scope["state"]["metrics"]
            metrics.feed_executions(compiled, resolved)
