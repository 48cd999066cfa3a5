"""Subscriptions over WebSocket against real server processes, with real clients.

A subscriber on one process hears writes made through another (or straight through the
service, on the same database); a subscriber that resumes ``after`` an id gets what it missed;
bad input gets codes; slow and revoked clients are closed with their codes.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from app.events import EventName
from app.repo import events as event_repo
from tests.client_server import Served, serving
from tests.factories import make_dataset, make_model, make_token
from tests.feed_clients import (
    EVENTS,
    VERSIONS,
    WAIT_S,
    RawClient,
    close_code,
    session,
    subscribe,
    take,
)

pytestmark = pytest.mark.process

REGISTER = """
mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { id } }
"""


@pytest.fixture(scope="module")
def two(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served]]:
    """Two server processes on the same database."""
    logs = tmp_path_factory.mktemp("feed")
    with serving(pg_dsn, logs / "a.log") as a, serving(pg_dsn, logs / "b.log") as b:
        yield a, b


@pytest.fixture
def servers(two: tuple[Served, Served], db: asyncpg.Pool) -> tuple[Served, Served]:
    return two


def one_server(pg_dsn: str, tmp_path: Path, **env: str) -> Any:
    return serving(pg_dsn, tmp_path / "server.log", **env)


async def last_id(url: str) -> int:
    async with httpx.AsyncClient(trust_env=False) as c:
        r = await c.post(url + "/graphql", json={"query": "{ events(limit: 1) { lastEventId } }"})
    return int(r.json()["data"]["events"]["lastEventId"])


async def register(url: str, token: str, lineage: str) -> str:
    async with httpx.AsyncClient(trust_env=False, timeout=WAIT_S) as c:
        r = await c.post(
            url + "/graphql",
            json={
                "query": REGISTER,
                "variables": {"input": {"lineageId": lineage, "title": lineage}},
            },
            headers={"authorization": f"Bearer {token}"},
        )
    body = r.json()
    assert "errors" not in body, body
    return str(body["data"]["registerDataset"]["id"])


async def test_a_subscriber_on_one_process_hears_a_registration_through_another(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, b = servers
    token = await make_token(conn, "write")
    start = await last_id(a.url)
    async with session(a.url) as s:
        stream = subscribe(s, VERSIONS, {"after": start})
        registered = await register(b.url, token, "dataset-feed")
        (got,) = await take(stream, 1)
    event = got["versionRegistered"]
    assert event["name"] == "version.registered"
    assert event["version"] == {"id": registered, "lineageId": "dataset-feed", "versionNumber": 1}
    assert event["payload"]["id"] == registered
    assert int(event["id"]) > start


async def test_a_live_subscription_hears_writes_after_it_started(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, b = servers
    token = await make_token(conn, "write")
    async with session(a.url) as s:
        stream = subscribe(s, EVENTS, {"kinds": ["version.registered"]})
        # The subscription is live once one write made after subscribing arrives.
        first = asyncio.ensure_future(anext(stream))
        seen: list[str] = []
        while not first.done():
            seen.append(await register(b.url, token, f"dataset-live-{len(seen)}"))
            await asyncio.wait([first], timeout=0.2)
            assert len(seen) < 50
        heard = [first.result()["events"]["payload"]["id"]]
        heard += [e["events"]["payload"]["id"] for e in await take(stream, len(seen) - len(heard))]
    # Live from some write on, in commit order, nothing doubled.
    assert heard == seen[seen.index(heard[0]) :]


async def test_resuming_after_an_id_gets_every_event_missed_then_the_live_ones(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, b = servers
    token = await make_token(conn, "write")
    start = await last_id(a.url)
    first = await register(b.url, token, "dataset-resume-0")
    async with session(a.url) as s:
        (got,) = await take(subscribe(s, VERSIONS, {"after": start}), 1)
    seen_id = int(got["versionRegistered"]["id"])
    assert got["versionRegistered"]["payload"]["id"] == first
    missed = [await register(b.url, token, f"dataset-resume-{i}") for i in range(1, 4)]
    async with session(a.url) as s:
        stream = subscribe(s, VERSIONS, {"after": seen_id})
        replayed = await take(stream, 3)
        later = await register(b.url, token, "dataset-resume-4")
        (live,) = await take(stream, 1)
    assert [e["versionRegistered"]["payload"]["id"] for e in replayed] == missed
    assert live["versionRegistered"]["payload"]["id"] == later
    ids = [int(e["versionRegistered"]["id"]) for e in [*replayed, live]]
    assert ids == sorted(ids) and ids[0] > seen_id


async def test_a_filter_is_the_model_lists_filter(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, _ = servers
    start = await last_id(a.url)
    variables = {"after": start, "filter": {"family": "DEEP_LEARNING"}}
    data = await make_dataset(conn, "dataset-f")
    from app.domain import Family

    await make_model(conn, "model-stat", trained_on=(data.id,), family=Family.STATISTICAL)
    deep = await make_model(conn, "model-deep", trained_on=(data.id,), family=Family.DEEP_LEARNING)
    async with session(a.url) as s:
        (got,) = await take(subscribe(s, VERSIONS, variables), 1)
    assert got["versionRegistered"]["payload"]["id"] == deep.id


async def test_unknown_event_names_and_pruned_resumes_get_their_codes(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, _ = servers
    async with session(a.url) as s:
        with pytest.raises(TransportQueryError) as unknown:
            await take(subscribe(s, EVENTS, {"kinds": ["version.exploded"]}), 1)
        assert unknown.value.errors is not None
        assert unknown.value.errors[0]["extensions"]["code"] == "UNKNOWN_EVENT"
        await conn.execute("update events_clock set pruned_through = 5")
        try:
            with pytest.raises(TransportQueryError) as gone:
                await take(subscribe(s, EVENTS, {"after": 2}), 1)
        finally:
            await conn.execute("update events_clock set pruned_through = 0")
    assert gone.value.errors is not None
    assert gone.value.errors[0]["extensions"]["code"] == "EVENTS_PRUNED"


async def test_the_events_query_pages_the_feed(
    servers: tuple[Served, Served], conn: asyncpg.Connection
) -> None:
    a, _ = servers
    start = await last_id(a.url)
    made = [(await make_dataset(conn, f"dataset-q{i}")).id for i in range(3)]
    query = """query($after: BigInt!) {
      events(after: $after, limit: 2, kinds: ["version.registered"]) {
        items { id name payload version { id } } lastEventId oldestEventId
      }
    }"""
    async with httpx.AsyncClient(trust_env=False) as c:
        r = await c.post(a.url + "/graphql", json={"query": query, "variables": {"after": start}})
        page = r.json()["data"]["events"]
        assert [e["version"]["id"] for e in page["items"]] == made[:2]
        assert int(page["lastEventId"]) >= int(page["items"][-1]["id"])
        r = await c.post(
            a.url + "/graphql",
            json={"query": '{ events(kinds: ["nope"]) { lastEventId } }'},
        )
        assert r.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_EVENT"
        r = await c.post(
            a.url + "/graphql", json={"query": "{ events(limit: 501) { lastEventId } }"}
        )
        assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_bad_token_in_connection_init_is_closed_with_4403(
    servers: tuple[Served, Served],
) -> None:
    a, _ = servers
    async with RawClient.connect(a.url, {"Authorization": "Bearer mreg_nope"}) as client:
        assert await client.closed_with() == 4403
    async with RawClient.connect(a.url, {"token": "mreg_nope"}) as client:
        assert await client.closed_with() == 4403


async def test_queries_and_mutations_are_not_run_over_websocket(
    servers: tuple[Served, Served],
) -> None:
    a, _ = servers
    async with RawClient.connect(a.url) as client:
        assert (await client.receive())["type"] == "connection_ack"
        await client.subscribe("1", 'mutation { revokeToken(name: "x") }')
        answer = await client.receive()
    assert answer["type"] == "error" and answer["id"] == "1"


async def test_subscriptions_past_the_bounds_get_a_coded_error(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path
) -> None:
    limits = {"REGISTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION": "2", "REGISTRY_MAX_SUBSCRIPTIONS": "3"}
    with one_server(pg_dsn, tmp_path, **limits) as a:
        async with RawClient.connect(a.url) as client, RawClient.connect(a.url) as second:
            assert (await client.receive())["type"] == "connection_ack"
            assert (await second.receive())["type"] == "connection_ack"
            for op in ("1", "2", "3"):
                await client.subscribe(op, EVENTS)
            per_connection = await client.receive()
            for _ in range(int(WAIT_S * 20)):
                if await metric(a.url, "feed_subscriptions") >= 2:
                    break
                await asyncio.sleep(0.05)
            for op in ("1", "2"):
                await second.subscribe(op, EVENTS)
            per_process = await second.receive()
    assert per_connection["id"] == "3" and per_connection["type"] == "error"
    assert per_connection["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    assert per_process["id"] == "2" and per_process["type"] == "error"
    assert per_process["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_reads_that_need_a_token_need_it_in_connection_init(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    reader = await make_token(conn, "read")
    with one_server(pg_dsn, tmp_path, REGISTRY_REQUIRE_READ_AUTH="1") as a:
        async with RawClient.connect(a.url) as client:
            assert await client.closed_with() == 4403
        start = await last_id_with(a.url, reader)
        async with session(a.url, {"Authorization": f"Bearer {reader}"}) as s:
            stream = subscribe(s, VERSIONS, {"after": start})
            made = await make_dataset(conn, "dataset-auth")
            (got,) = await take(stream, 1)
    assert got["versionRegistered"]["payload"]["id"] == made.id


async def last_id_with(url: str, token: str) -> int:
    async with httpx.AsyncClient(trust_env=False) as c:
        r = await c.post(
            url + "/graphql",
            json={"query": "{ events(limit: 1) { lastEventId } }"},
            headers={"authorization": f"Bearer {token}"},
        )
    return int(r.json()["data"]["events"]["lastEventId"])


async def test_a_revoked_token_closes_its_subscriptions_with_4403(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    reader = await make_token(conn, "read", name="soon-revoked")
    with one_server(pg_dsn, tmp_path, REGISTRY_FEED_TOKEN_CHECK_S="0.2") as a:
        async with session(a.url, {"token": reader}) as s:
            stream = subscribe(s, EVENTS)
            pending = asyncio.ensure_future(anext(stream))
            await conn.execute(
                "update api_tokens set revoked_at = now() where name = $1", "soon-revoked"
            )
            with pytest.raises(Exception) as closed:
                await asyncio.wait_for(pending, WAIT_S)
    assert close_code(closed.value) == 4403


async def metric(url: str, name: str) -> float:
    async with httpx.AsyncClient(trust_env=False) as c:
        text = (await c.get(url + "/metrics")).text
    for line in text.splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_a_slow_consumer_is_closed_with_4429(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    with one_server(pg_dsn, tmp_path, REGISTRY_SUBSCRIPTION_QUEUE="4") as a:
        # The client's own buffer holds one message: past that it stops reading the socket.
        async with RawClient.connect(a.url, max_queue=1) as client:
            assert (await client.receive())["type"] == "connection_ack"
            await client.subscribe("1", EVENTS)
            for _ in range(int(WAIT_S * 20)):
                if await metric(a.url, "feed_subscriptions") >= 1:
                    break
                await asyncio.sleep(0.05)
            padding = "x" * 8192
            async with conn.transaction():
                for i in range(3000):
                    await event_repo.record(conn, EventName.TAGS_CHANGED, {"i": i, "pad": padding})
            for _ in range(int(WAIT_S * 20)):
                if await metric(a.url, 'feed_connections_closed_total{reason="slow"}') >= 1:
                    break
                await asyncio.sleep(0.05)
            assert await client.closed_with() == 4429


async def test_a_process_deletes_events_past_the_retention_in_the_background(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    async with conn.transaction():
        await event_repo.record(conn, EventName.TAGS_CHANGED, {"old": True})
    async with conn.transaction():
        await event_repo.record(conn, EventName.TAGS_CHANGED, {"old": False})
    old_id, new_id = [r["id"] for r in await conn.fetch("select id from events order by id")]
    await conn.execute("update events set at = now() - interval '3 days' where id = $1", old_id)
    with one_server(pg_dsn, tmp_path, REGISTRY_EVENT_RETENTION_DAYS="2"):
        for _ in range(int(WAIT_S * 20)):
            if await conn.fetchval("select pruned_through from events_clock") == old_id:
                break
            await asyncio.sleep(0.05)
    assert [r["id"] for r in await conn.fetch("select id from events")] == [new_id]
    assert await conn.fetchval("select pruned_through from events_clock") == old_id


async def test_a_stopping_server_closes_its_subscriptions_with_1012(
    db: asyncpg.Pool, pg_dsn: str, tmp_path: Path
) -> None:
    with one_server(pg_dsn, tmp_path) as a:
        async with RawClient.connect(a.url) as client:
            assert (await client.receive())["type"] == "connection_ack"
            await client.subscribe("1", EVENTS)
            for _ in range(int(WAIT_S * 20)):
                if await metric(a.url, "feed_subscriptions") >= 1:
                    break
                await asyncio.sleep(0.05)
            a.proc.send_signal(signal.SIGTERM)
            assert await client.closed_with() == 1012
        assert await asyncio.to_thread(a.proc.wait, WAIT_S) == 0
