"""A subscription's selection over a page of events, in one statement: the fast path's compiler.

graphql-core executes a selection per event, with a read of the version each time. Here the
event's own fields (``id``, ``at``, ``name``, ``payload``, ``__typename``) come from the event,
serialized by the schema's own scalars, and ``version`` is the fast path's artifact lookup
(planned by app.schema.plans, rendered by app.repo.compiled): one lookup per event, all of a
page's in one statement.

It fails closed as the fast path does: a selection it does not fully know does not compile,
and graphql-core answers every event; an answer a guard refuses, or one past the response
budget, leaves its events to graphql-core, which gives the right error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FragmentDefinitionNode,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
)
from graphql.execution.values import VariableValues

from app.db.types import Conn
from app.events import Event, version_ref
from app.readmodel import fields as decl
from app.repo.compiled import fetch_json, plan
from app.repo.compiled.render import TooWide
from app.repo.compiled.roots import render
from app.schema.budget import count_objects
from app.schema.feed import FeedEvent, json_text
from app.schema.plan_lists import Unsupported
from app.schema.plans import Planner

EVENT_TYPE = "Event"
# The event's own fields, as FeedEvent holds them.
LEAVES = frozenset({"id", "at", "name", "payload"})
# Lookups in one statement (json_build_object takes 50 pairs).
EVENTS_PER_STATEMENT = 32
# A version id for rendering a selection's lookup once, to see that it renders.
PROBE = "probe-v1"

Read = Callable[[Callable[[Conn], Awaitable[Any]]], Awaitable[Any]]


@dataclass(frozen=True)
class FeedSelection:
    """What one subscription asks of each event, planned once."""

    root_key: str
    # The event's fields by response key: a leaf's name, the version's object, or a constant.
    fields: tuple[tuple[str, str | plan.Obj | plan.Const], ...]
    serializers: dict[str, Callable[[Any], Any]]
    version: plan.Obj | None


def compile_selection(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> FeedSelection | None:
    """The plan of a subscription over the Event type, or None when graphql-core must answer."""
    planner = Planner(schema, fragments, variables)
    try:
        (root,) = planner.collect(operation.selection_set, "Subscription")
    except (Unsupported, ValueError):
        return None
    key, node = root
    root_type = schema.subscription_type
    field = root_type.fields.get(node.name.value) if root_type else None
    event_type = schema.get_type(EVENT_TYPE)
    if field is None or get_named_type(field.type) is not event_type or node.selection_set is None:
        return None
    assert isinstance(event_type, GraphQLObjectType)
    out: list[tuple[str, str | plan.Obj | plan.Const]] = []
    serializers: dict[str, Callable[[Any], Any]] = {}
    version: plan.Obj | None = None
    try:
        for response_key, child in planner.collect(node.selection_set, EVENT_TYPE):
            name = child.name.value
            if name == "__typename":
                out.append((response_key, plan.Const(EVENT_TYPE)))
            elif name in LEAVES and not child.arguments and child.selection_set is None:
                leaf = get_named_type(event_type.fields[name].type)
                assert isinstance(leaf, GraphQLLeafType)
                serializers[name] = leaf.serialize
                out.append((response_key, name))
            elif name == "version" and version is None:
                planner.takes(EVENT_TYPE, child, frozenset())
                version = planner.obj(child.selection_set, decl.ARTIFACT_TYPES)
                out.append((response_key, version))
            else:
                return None  # another field, or the version twice under two keys
    except Unsupported:
        return None
    if version is not None and _lookups_sql(version, [PROBE]) is None:
        return None  # no statement reads it (an object with no field for some kind, say)
    return FeedSelection(key, tuple(out), serializers, version)


async def encode(
    selection: FeedSelection, read: Read, events: Sequence[Event], budget: int
) -> list[str | None]:
    """The ``next`` payload (JSON text) of each event; None for those graphql-core must answer.

    ``read`` runs the statements (one for every EVENTS_PER_STATEMENT events that name a
    version); ``budget`` is the response's object budget, per event as for a query."""
    versions: list[Any] = [None] * len(events)
    answered = [True] * len(events)
    if selection.version is not None:
        refs = [(i, version_ref(e.name.value, e.payload)) for i, e in enumerate(events)]
        named = [(i, ref) for i, ref in refs if ref is not None]
        for start in range(0, len(named), EVENTS_PER_STATEMENT):
            chunk = named[start : start + EVENTS_PER_STATEMENT]
            found = await _lookups(selection.version, read, [ref for _, ref in chunk])
            for n, (i, _) in enumerate(chunk):
                if found is None:
                    answered[i] = False
                else:
                    versions[i] = found[f"e{n}"]
    return [
        _payload(selection, event, versions[i], budget) if answered[i] else None
        for i, event in enumerate(events)
    ]


async def _lookups(obj: plan.Obj, read: Read, refs: list[str]) -> dict[str, Any] | None:
    """Each ref's version as ``obj`` asks for it, keyed ``e<n>``; None when refused."""
    rendered = _lookups_sql(obj, refs)
    if rendered is None:
        return None
    statement, params = rendered
    text: str | None = await read(lambda c: fetch_json(c, statement, params))
    if text is None:
        return None
    found: dict[str, Any] = orjson.loads(text)
    return found


def _lookups_sql(obj: plan.Obj, refs: list[str]) -> tuple[str, tuple[object, ...]] | None:
    roots = tuple((f"e{n}", plan.Lookup(ref, None, obj)) for n, ref in enumerate(refs))
    try:
        statement, params, finishers = render(plan.Read(roots))
    except TooWide:
        return None
    if finishers:
        return None  # lookups have none; a rule to apply is graphql-core's
    return statement, params


def _payload(selection: FeedSelection, event: Event, version: Any, budget: int) -> str | None:
    shown = FeedEvent.of(event)
    obj: dict[str, Any] = {}
    for key, value in selection.fields:
        if isinstance(value, plan.Const):
            obj[key] = value.value
        elif isinstance(value, str):
            obj[key] = selection.serializers[value](getattr(shown, value))
        else:
            obj[key] = version
    data = {selection.root_key: obj}
    if count_objects(data) > budget:
        return None
    return json_text({"data": data})
