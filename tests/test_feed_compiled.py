"""A subscription's selection, compiled, gives what the resolvers give, a page in one statement.

Two server processes on one database, one with REGISTRY_FAST_PATH=0, hold the same
subscriptions: every event each delivers is the same, live (pages of several events) and
replayed after an id, and the fast one's metrics say it read them compiled, except for the
selection the compiler does not know, which it hands to the resolvers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from app.events import Event
from app.repo import events as event_repo
from app.schema import schema
from app.schema.feed_compiled import EVENTS_PER_STATEMENT, compile_selection, encode
from app.service import aliases, lifecycle
from tests.client_server import Served, serving
from tests.factories import make_analysis, make_dataset, make_model
from tests.feed_clients import WAIT_S, session, subscribe, take

VERSION = """
  __typename id lineageId kind versionNumber title createdAt archived tags { key value }
  ... on Model {
    family qualityScore rawQualityScore
    provenance { complete warnings { code message } }
    trainedOn { id lineageId versions { versionNumber } }
    producedBy { __typename id inputs { pinned artifact { id } } }
    evaluationMetrics { name value better }
  }
  ...Data
"""
DATA = "fragment Data on Dataset { uri sizeBytes digest latest { id } }"
# Live, each server reads an event's version when it hears it, the burst still going on:
# only what no later write of the burst changes (``latest``, ``archived``, ``aliases`` do).
LIVE = """subscription { events {
  __typename id at name payload again: id version {
    __typename id lineageId kind versionNumber title createdAt
    ... on Model { trainedOn { id lineageId } evaluationMetrics { name value better } }
    ... on Dataset { uri sizeBytes }
  }
} }"""
# Replayed once the burst is over, all of it.
LATER = f"""subscription($after: BigInt) {{ feed: events(after: $after) {{
  name id version {{ {VERSION} aliases }}
}} }} {DATA}"""
# A nested cursor is the resolvers' to make: this selection does not compile.
RESOLVED = """subscription($after: BigInt) { events(after: $after) {
  id version { id aliasHistoryNextCursor(limit: 1) }
} }"""
MOVED = """subscription($after: BigInt) { aliasMoved(lineageId: "model-c", after: $after) {
  payload version { id aliases isLatest }
} }"""

pytestmark = pytest.mark.process


@pytest.fixture
def both(pg_dsn: str, tmp_path: Path, db: asyncpg.Pool) -> Iterator[tuple[Served, Served]]:
    with (
        serving(pg_dsn, tmp_path / "fast.log") as fast,
        serving(pg_dsn, tmp_path / "resolvers.log", REGISTRY_FAST_PATH="0") as resolvers,
    ):
        yield fast, resolvers


async def executions(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(trust_env=False) as c:
        text = (await c.get(url + "/metrics")).text
    found = {"compiled": 0.0, "resolvers": 0.0}
    for line in text.splitlines():
        if line.startswith("feed_event_executions_total{"):
            path = line.split('path="', 1)[1].split('"', 1)[0]
            found[path] = float(line.rsplit(" ", 1)[1])
    return found


async def joined(url: str) -> None:
    """Wait (a bounded while) until the server's subscription has joined its hub."""
    async with httpx.AsyncClient(trust_env=False) as c:
        for _ in range(int(WAIT_S / 0.05)):
            text = (await c.get(url + "/metrics")).text
            if any(line.startswith("feed_subscriptions 1") for line in text.splitlines()):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"no subscription joined on {url}")


async def writes(conn: asyncpg.Connection) -> int:
    """A burst of writes of every kind of event; how many events they recorded."""
    before = await conn.fetchval("select count(*) from events")
    data = await make_dataset(conn, "dataset-c", uri="s3://c", size_bytes=12)
    await make_dataset(conn, "dataset-c")
    analysis = await make_analysis(conn, "analysis-c", uses=(data.id,))
    model = await make_model(
        conn,
        "model-c",
        trained_on=("dataset-c",),
        produced_by=analysis.id,
        evaluation_metrics={"auc": 0.9},
    )
    mover = aliases.Mover("tester", may_promote=True)
    await aliases.set_alias(conn, "model-c", "production", model.id, "first", None, mover)
    await lifecycle.archive(conn, data.id, "superseded", "tester")
    return int(await conn.fetchval("select count(*) from events")) - int(before)


async def test_compiled_events_are_what_the_resolvers_give(
    both: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    fast, resolvers = both
    start = int(await conn.fetchval("select coalesce(max(id), 0) from events"))
    # Live: subscribed before the burst, so its events come in pages of several.
    async with session(fast.url) as f, session(resolvers.url) as r:
        live = [subscribe(f, LIVE), subscribe(r, LIVE)]
        first = [asyncio.ensure_future(anext(s)) for s in live]
        for served in both:
            await joined(served.url)
        count = await writes(conn)
        heard = [[await first[i], *await take(live[i], count - 1)] for i in range(2)]
    assert heard[0] == heard[1]
    names = [e["events"]["name"] for e in heard[0]]
    assert {"version.registered", "alias.moved", "version.archived"} <= set(names)
    model = next(e["events"]["version"] for e in heard[0] if e["events"]["name"] == "alias.moved")
    assert model["trainedOn"][0]["lineageId"] == "dataset-c"
    assert [(m["name"], m["value"]) for m in model["evaluationMetrics"]] == [("auc", 0.9)]
    assert heard[0][0]["events"]["again"] == heard[0][0]["events"]["id"]
    compiled = await executions(fast.url)
    assert compiled["compiled"] >= count and compiled["resolvers"] == 0
    # Replayed after an id, and a selection that does not compile.
    for query in (LATER, RESOLVED, MOVED):
        got = []
        for served in both:
            async with session(served.url) as s:
                n = 1 if query is MOVED else count
                got.append(await take(subscribe(s, query, {"after": start}), n))
        assert got[0] == got[1], query
    assert got[0][0]["aliasMoved"]["version"]["aliases"] == ["production"]
    after = await executions(fast.url)
    assert after["resolvers"] == count  # RESOLVED's, and only those
    assert after["compiled"] >= compiled["compiled"] + count + 1
    assert (await executions(resolvers.url))["compiled"] == 0


def selection(query: str) -> Any:
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {d.name.value: d for d in document.definitions[1:]}  # type: ignore[attr-defined]
    variables = get_variable_values(schema._schema, operation.variable_definitions or (), {})
    assert not isinstance(variables, list)
    return compile_selection(schema._schema, operation, fragments, variables)


async def test_a_page_of_events_is_read_in_one_statement_per_batch(
    db: asyncpg.Pool, conn: asyncpg.Connection
) -> None:
    for i in range(EVENTS_PER_STATEMENT + 8):
        await make_dataset(conn, f"dataset-{i}")
    page: list[Event] = await event_repo.after(conn, 0, [], 500)
    assert len(page) == EVENTS_PER_STATEMENT + 8
    statements = 0

    async def read(fn: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
        nonlocal statements
        statements += 1
        async with db.acquire() as c:
            return await fn(c)

    compiled = selection(LIVE)
    texts = await encode(compiled, read, page, budget=1000)
    assert statements == 2
    assert all(t is not None and f'"lineageId":"dataset-{i}"' in t for i, t in enumerate(texts))
    # Past the response budget, every event is the resolvers' (they give the error).
    statements = 0
    assert await encode(compiled, read, page, budget=1) == [None] * len(page)
    # Without the version, nothing is read.
    statements = 0
    bare = selection("subscription { events { id name } }")
    assert all(await encode(bare, read, page, budget=1000)) and statements == 0


@pytest.mark.parametrize(
    "query",
    [
        RESOLVED,
        "subscription { events { a: version { id } b: version { title } } }",
        "subscription { events { id @include(if: true) } }",
        'subscription { events { version { id versions(after: "x") { id } } } }',
        # No field for a dataset: no statement builds an empty object.
        "subscription { events { version { ... on Model { id } } } }",
    ],
)
def test_what_the_compiler_does_not_know_is_the_resolvers(query: str) -> None:
    assert selection("subscription { versionRegistered { id version { id } } }") is not None
    assert selection(query) is None
