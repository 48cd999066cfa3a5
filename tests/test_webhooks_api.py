"""Managing webhooks: admin only, URLs and event names checked, private addresses refused, and
deliveries made for exactly the committed events a webhook asked for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.domain import Kind, NewArtifact
from app.events import EventName
from app.repo import events as event_repo
from app.repo import webhooks as webhook_repo
from app.service.register import register
from app.webhooks import rules
from tests.factories import make_dataset, make_model, make_token
from tests.http import Api, running_app
from tests.webhook_steps import (
    CREATE,
    DELETE,
    LIST,
    RETIRE,
    ROTATE,
    create,
    deliveries,
    error_code,
)

pytestmark = pytest.mark.asyncio

# A public address: creation resolves nothing for an IP literal, and nothing is delivered here.
PUBLIC = "https://93.184.215.14/hooks"
EVERY = ["version.registered", "alias.moved"]


@pytest.fixture
async def admin(db: asyncpg.Pool, pg_dsn: str) -> AsyncIterator[Api]:
    """The app (delivering nothing) with an admin token on every request."""
    async with running_app(pg_dsn) as a:
        async with db.acquire() as conn:
            a.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        yield a


async def _count(db: asyncpg.Pool) -> int:
    async with db.acquire() as conn:
        return int(await conn.fetchval("select count(*) from webhooks"))


async def test_a_webhook_is_created_listed_and_deleted_its_secret_shown_once(admin) -> None:
    wid, secret = await create(admin, PUBLIC, EVERY)
    assert secret.startswith("whsec_") and len(secret) > 40
    listed = (await admin.data(LIST))["webhooks"]
    assert listed == [
        {
            "id": wid,
            "url": PUBLIC,
            "events": EVERY,
            "createdBy": "t-admin",
            "hasPreviousSecret": False,
        }
    ]
    assert secret not in str(listed)
    given, chosen = await create(admin, PUBLIC, ["alias.moved"], "s" * 16)
    assert chosen == "s" * 16
    assert (await admin.data(DELETE, {"id": wid}))["deleteWebhook"] is True
    assert [w["id"] for w in (await admin.data(LIST))["webhooks"]] == [given]
    assert error_code(await admin.gql(DELETE, {"id": wid})) == "NOT_FOUND"
    assert error_code(await admin.gql(DELETE, {"id": "not-a-uuid"})) == "NOT_FOUND"


async def test_webhooks_need_the_admin_scope(admin, conn) -> None:
    variables = {"url": PUBLIC, "events": EVERY}
    writer = {"authorization": f"Bearer {await make_token(conn, 'write')}"}
    # A mutation is refused before it runs, a query field as it resolves.
    r = await admin.client.post(
        "/graphql", json={"query": CREATE, "variables": variables}, headers=writer
    )
    assert (r.status_code, error_code(r.json())) == (403, "FORBIDDEN")
    r = await admin.client.post("/graphql", json={"query": LIST}, headers={"authorization": ""})
    assert error_code(r.json()) == "UNAUTHENTICATED"
    assert error_code(await admin.gql(LIST, headers=writer)) == "FORBIDDEN"
    assert await _count(admin.state["db"].pool) == 0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/hook", "only http"),
        ("http://user:pw@example.com/hook", "credentials"),
        ("http:///hook", "no host"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
        ("https://exa mple.com/hook", "spaces"),
        ("https://example.com:99999/hook", "port"),
        ("https://example.com/hook#part", "fragment"),
        ("https://ex_ample.com/hook", "not a host name"),
        ("example.com/hook", "only http"),
    ],
)
async def test_a_malformed_url_is_refused_and_nothing_is_written(admin, url, says) -> None:
    body = await admin.gql(CREATE, {"url": url, "events": EVERY})
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "url"
    assert says in body["errors"][0]["message"]
    assert await _count(admin.state["db"].pool) == 0


async def test_event_names_are_checked(admin) -> None:
    unknown = await admin.gql(CREATE, {"url": PUBLIC, "events": ["version.eaten"]})
    assert error_code(unknown) == "UNKNOWN_EVENT"
    assert "version.eaten" in unknown["errors"][0]["message"]
    empty = await admin.gql(CREATE, {"url": PUBLIC, "events": []})
    assert error_code(empty) == "BAD_USER_INPUT"
    assert empty["errors"][0]["extensions"]["field"] == "events"
    assert await _count(admin.state["db"].pool) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://localhost:8080/hook",
    ],
)
async def test_private_addresses_are_refused_by_default(admin, url) -> None:
    body = await admin.gql(CREATE, {"url": url, "events": EVERY})
    assert error_code(body) == "WEBHOOK_URL_REFUSED"
    assert "REGISTRY_WEBHOOK_ALLOW_PRIVATE" in body["errors"][0]["message"]
    assert await _count(admin.state["db"].pool) == 0


async def test_a_host_that_does_not_resolve_is_refused(admin) -> None:
    body = await admin.gql(CREATE, {"url": "https://no-such-host.invalid/hook", "events": EVERY})
    assert error_code(body) == "WEBHOOK_URL_REFUSED"
    assert "does not resolve" in body["errors"][0]["message"]


async def test_allowing_private_addresses_lets_a_local_receiver_in(db, pg_dsn) -> None:
    env = {"REGISTRY_WEBHOOK_ALLOW_PRIVATE": "1"}
    async with running_app(pg_dsn, env) as api, db.acquire() as conn:
        api.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        await create(api, "http://localhost:8080/hook", EVERY)
        await create(api, "http://[::1]:8080/hook", EVERY)
    assert await _count(db) == 2


async def test_there_are_at_most_max_webhooks(admin, conn) -> None:
    for i in range(rules.MAX_WEBHOOKS - 1):
        await webhook_repo.insert(conn, f"{PUBLIC}/{i}", EVERY, "s" * 16, "x", rules.MAX_WEBHOOKS)
    await create(admin, PUBLIC, EVERY)
    body = await admin.gql(CREATE, {"url": PUBLIC, "events": EVERY})
    assert error_code(body) == "TOO_MANY_WEBHOOKS"
    assert await _count(admin.state["db"].pool) == rules.MAX_WEBHOOKS


async def test_rotation_keeps_the_previous_secret_until_it_is_retired(admin) -> None:
    wid, first = await create(admin, PUBLIC, EVERY)
    rotated = (await admin.data(ROTATE, {"id": wid}))["rotateWebhookSecret"]
    assert rotated["secret"] != first and rotated["webhook"]["hasPreviousSecret"] is True
    chosen = (await admin.data(ROTATE, {"id": wid, "secret": "t" * 20}))["rotateWebhookSecret"]
    assert chosen["secret"] == "t" * 20
    retired = (await admin.data(RETIRE, {"id": wid}))["retirePreviousWebhookSecret"]
    assert retired == {"id": wid, "hasPreviousSecret": False}
    assert error_code(await admin.gql(ROTATE, {"id": wid, "secret": "short"})) == ("BAD_USER_INPUT")
    missing = "00000000-0000-0000-0000-000000000000"
    assert error_code(await admin.gql(ROTATE, {"id": missing})) == "NOT_FOUND"
    assert error_code(await admin.gql(RETIRE, {"id": missing})) == "NOT_FOUND"


async def test_deliveries_are_made_for_committed_events_the_webhook_asked_for(admin, conn) -> None:
    registered, _ = await create(admin, PUBLIC, ["version.registered"])
    moved, _ = await create(admin, PUBLIC, ["alias.moved"])
    ds = await make_dataset(conn, "ds")
    await make_model(conn, "m", trained_on=("ds",))
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await register(conn, NewArtifact(Kind.DATASET, "rolled-back", "Gone"))
            raise RuntimeError("fails after its event was recorded")
    log = await deliveries(admin, registered)
    assert [(d["eventName"], d["status"], d["attempts"]) for d in log] == [
        ("version.registered", "PENDING", 0),
        ("version.registered", "PENDING", 0),
    ]
    # Newest first, and each names its event, which the outbox holds.
    events = [
        r["payload"]["id"]
        for r in await conn.fetch(
            "select e.payload from events e where e.id = any($1::bigint[]) order by e.id desc",
            [d["eventId"] for d in log],
        )
    ]
    assert events == ["m-v1", ds.id]
    assert await deliveries(admin, moved) == []


async def test_the_delivery_log_pages_and_filters(admin, conn) -> None:
    wid, _ = await create(admin, PUBLIC, ["version.registered"])
    for i in range(5):
        await make_dataset(conn, f"ds-{i}")
    first = await deliveries(admin, wid, limit=2)
    rest = await deliveries(admin, wid, limit=10, after=first[-1]["id"])
    every = await deliveries(admin, wid, limit=10)
    assert [d["id"] for d in first + rest] == [d["id"] for d in every]
    assert len(every) == 5
    assert await deliveries(admin, wid, status="DELIVERED") == []
    assert len(await deliveries(admin, wid, status="PENDING")) == 5
    from tests.webhook_steps import DELIVERIES

    too_many = await admin.gql(DELIVERIES, {"id": wid, "limit": 101})
    assert error_code(too_many) == "BAD_USER_INPUT"
    assert error_code(await admin.gql(DELIVERIES, {"id": wid, "after": wid})) == ("BAD_USER_INPUT")
    missing = "00000000-0000-0000-0000-000000000000"
    assert error_code(await admin.gql(DELIVERIES, {"id": missing})) == "NOT_FOUND"


async def test_a_write_committing_while_its_webhook_is_deleted_still_commits(db) -> None:
    async with db.acquire() as admin_conn, db.acquire() as writer:
        row = await webhook_repo.insert(
            admin_conn, PUBLIC, ["alias.moved"], "s" * 16, "x", rules.MAX_WEBHOOKS
        )
        assert row is not None
        deleting = admin_conn.transaction()
        await deleting.start()
        await webhook_repo.delete(admin_conn, row.id)

        async def write() -> None:
            async with writer.transaction():
                await event_repo.record(writer, EventName.ALIAS_MOVED, {"n": 1})

        committing = asyncio.create_task(write())
        pid = writer.get_server_pid()
        for _ in range(600):
            waiting = await db.fetchval(
                "select wait_event_type = 'Lock' from pg_stat_activity where pid = $1", pid
            )
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting, "the commit never waited for the deleting transaction"
        await deleting.commit()
        await committing
        assert await db.fetchval("select count(*) from webhook_deliveries") == 0
        assert await db.fetchval("select count(*) from events where id is not null") == 1


async def test_retention_deletes_the_deliveries_of_the_events_it_deletes(admin, conn) -> None:
    wid, _ = await create(admin, PUBLIC, ["version.registered"])
    await make_dataset(conn, "old")
    await conn.execute("update events set at = now() - interval '2 days'")
    await make_dataset(conn, "new")
    assert await event_repo.prune(conn, 1) == 1
    assert [d["eventName"] for d in await deliveries(admin, wid)] == ["version.registered"]
