"""Deliveries to a real local HTTP receiver: signed as the README verifies, retried after
failures and timeouts, never redirected, redelivered on request, refused private addresses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import asyncpg
import pytest

from app.repo.deliveries import Claimed
from app.webhooks import sender
from tests.factories import make_dataset, make_token
from tests.http import Api, running_app
from tests.webhook_receiver import Receiver, receiving
from tests.webhook_steps import (
    DELIVERING,
    REDELIVER,
    REGISTERED,
    RETIRE,
    ROTATE,
    create,
    deliveries,
    error_code,
    readme_verify,
    until_settled,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(
        Receiver(script={"/flaky": [500, 503], "/redirect": [("redirect", "/elsewhere")] * 3})
    ) as r:
        yield r


@pytest.fixture
async def app(db: asyncpg.Pool, pg_dsn: str) -> AsyncIterator[Api]:
    """The app delivering (to private addresses too), with an admin token on every request."""
    async with running_app(pg_dsn, DELIVERING) as a:
        async with db.acquire() as conn:
            a.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        yield a


async def test_a_delivery_is_signed_as_the_readme_verifies(app, conn, receiver) -> None:
    verify = readme_verify()
    wid, secret = await create(app, receiver.url + "/hook", REGISTERED)
    ds = await make_dataset(conn, "ds")
    await receiver.wait_until(lambda r: len(r.received) == 1)
    (got,) = receiver.received
    assert verify([secret], got.headers, got.body)
    assert not verify(["whsec_another"], got.headers, got.body)
    assert not verify([secret], got.headers, got.body.replace(b"ds-v1", b"ds-v2"))
    old = {
        **got.headers,
        "x-registry-timestamp": str(int(got.headers["x-registry-timestamp"]) - 301),
    }
    assert not verify([secret], old, got.body)
    assert got.headers["x-registry-event"] == "version.registered"
    assert got.headers["host"] == receiver.url.removeprefix("http://")
    assert got.headers["content-type"] == "application/json"
    body = got.json
    assert body["id"] == got.delivery
    assert body["event"]["name"] == "version.registered"
    assert body["event"]["payload"] == {
        "id": ds.id,
        "lineageId": "ds",
        "kind": "dataset",
        "version": 1,
    }
    assert datetime.fromisoformat(body["event"]["at"]).tzinfo is not None
    (logged,) = await until_settled(app, wid, 1)
    assert (logged["id"], logged["status"], logged["attempts"]) == (got.delivery, "DELIVERED", 1)
    assert (logged["lastStatusCode"], logged["lastError"]) == (200, None)
    assert logged["deliveredAt"] is not None and logged["nextAttemptAt"] is None
    assert logged["eventId"] == body["event"]["id"]


async def test_during_a_rotation_both_secrets_sign(app, conn, receiver) -> None:
    verify = readme_verify()
    wid, first = await create(app, receiver.url + "/hook", REGISTERED)
    second = (await app.data(ROTATE, {"id": wid}))["rotateWebhookSecret"]["secret"]
    await make_dataset(conn, "ds")
    await receiver.wait_until(lambda r: len(r.received) == 1)
    during = receiver.received[0]
    assert len(during.headers["x-registry-signature-256"].split(",")) == 2
    assert verify([first], during.headers, during.body)
    assert verify([second], during.headers, during.body)
    await app.data(RETIRE, {"id": wid})
    await make_dataset(conn, "ds")
    await receiver.wait_until(lambda r: len(r.received) == 2)
    after = receiver.received[1]
    assert verify([second], after.headers, after.body)
    assert not verify([first], after.headers, after.body)


async def test_a_failing_receiver_is_retried_until_it_answers_2xx(app, conn, receiver) -> None:
    wid, _ = await create(app, receiver.url + "/flaky", REGISTERED)
    await make_dataset(conn, "ds")
    (logged,) = await until_settled(app, wid, 1)
    assert (logged["status"], logged["attempts"], logged["lastStatusCode"]) == (
        "DELIVERED",
        3,
        200,
    )
    # The same delivery each time, signed afresh.
    assert [r.delivery for r in receiver.on("/flaky")] == [logged["id"]] * 3


async def test_a_redirect_is_not_followed_and_fails_the_attempt(app, conn, receiver) -> None:
    wid, _ = await create(app, receiver.url + "/redirect", REGISTERED)
    await make_dataset(conn, "ds")
    (logged,) = await until_settled(app, wid, 1)
    assert (logged["status"], logged["attempts"], logged["lastStatusCode"]) == ("FAILED", 3, 302)
    assert "redirects are not followed" in logged["lastError"]
    assert len(receiver.on("/redirect")) == 3
    assert receiver.on("/elsewhere") == []


async def test_a_hanging_receiver_times_out_and_is_retried(app, conn) -> None:
    with receiving(Receiver(script={"/hang": ["hang"]})) as receiver:
        wid, _ = await create(app, receiver.url + "/hang", REGISTERED)
        await make_dataset(conn, "ds")
        (logged,) = await until_settled(app, wid, 1)
        assert (logged["status"], logged["attempts"], logged["lastStatusCode"]) == (
            "DELIVERED",
            2,
            200,
        )
        assert receiver.held == 1 and len(receiver.on("/hang")) == 2


async def test_redelivery_sends_the_same_delivery_again(app, conn, receiver) -> None:
    wid, _ = await create(app, receiver.url + "/hook", REGISTERED)
    await make_dataset(conn, "ds")
    (logged,) = await until_settled(app, wid, 1)
    again = (await app.data(REDELIVER, {"id": logged["id"]}))["redeliverWebhookDelivery"]
    assert again["id"] == logged["id"] and again["attempts"] == 0
    await receiver.wait_until(lambda r: len(r.received) == 2)
    assert [r.delivery for r in receiver.received] == [logged["id"]] * 2
    (settled,) = await until_settled(app, wid, 1)
    assert (settled["status"], settled["attempts"]) == ("DELIVERED", 1)
    missing = str(uuid.uuid4())
    assert error_code(await app.gql(REDELIVER, {"id": missing})) == "NOT_FOUND"


async def test_a_delivery_in_flight_is_not_redelivered(app, conn) -> None:
    with receiving(Receiver(script={"/hang": ["hang"]})) as receiver:
        wid, _ = await create(app, receiver.url + "/hang", REGISTERED)
        await make_dataset(conn, "ds")
        await receiver.wait_until(lambda r: r.held == 1)
        (inflight,) = await deliveries(app, wid)
        assert inflight["status"] == "DELIVERING"
        assert error_code(await app.gql(REDELIVER, {"id": inflight["id"]})) == "CONFLICT"
        receiver.release()
        await until_settled(app, wid, 1)


async def test_delivery_checks_the_address_it_connects_to(receiver) -> None:
    """A name that passed at creation and resolves to loopback at delivery is refused then."""
    claimed = Claimed(
        uuid.uuid4(),
        1,
        receiver.url.replace("127.0.0.1", "localhost") + "/hook",
        ("s" * 16,),
        1,
        "version.registered",
        datetime.now(UTC),
        {},
    )
    async with sender.client(1.0) as http:
        refused = await sender.send(http, claimed, allow_private=False, timeout_s=1.0)
        allowed = await sender.send(http, claimed, allow_private=True, timeout_s=1.0)
    assert refused.status_code is None and not refused.delivered
    assert "is loopback (localhost resolves to it)" in (refused.error or "")
    assert allowed.delivered
    (got,) = receiver.received
    assert got.headers["host"] == receiver.url.replace("http://127.0.0.1", "localhost")


async def test_stopping_gives_back_what_is_in_flight_uncounted(db, pg_dsn, conn) -> None:
    with receiving(Receiver(script={"/hang": ["hang"]})) as receiver:
        async with running_app(
            pg_dsn,
            {**DELIVERING, "REGISTRY_WEBHOOK_TIMEOUT_S": "30", "REGISTRY_WEBHOOK_LEASE_S": "30"},
        ) as app:
            app.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
            wid, _ = await create(app, receiver.url + "/hang", REGISTERED)
            await make_dataset(conn, "ds")
            await receiver.wait_until(lambda r: r.held == 1)
        row = await conn.fetchrow(
            "select status, attempts, lease_until from webhook_deliveries where webhook_id = $1",
            uuid.UUID(wid),
        )
    assert dict(row) == {"status": "pending", "attempts": 0, "lease_until": None}


async def test_delivery_outcomes_are_counted_in_the_metrics(app, conn, receiver) -> None:
    wid, _ = await create(app, receiver.url + "/flaky", REGISTERED)
    await make_dataset(conn, "ds")
    await until_settled(app, wid, 1)
    text = (await app.client.get("/metrics")).text
    assert 'webhook_delivery_attempts_total{outcome="retry"} 2.0' in text
    assert 'webhook_delivery_attempts_total{outcome="delivered"} 1.0' in text


async def test_wake_delivers_without_waiting_for_the_poll(db, pg_dsn, conn, receiver) -> None:
    async with running_app(pg_dsn, {**DELIVERING, "REGISTRY_WEBHOOK_POLL_S": "600"}) as app:
        app.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        await create(app, receiver.url + "/hook", REGISTERED)
        await make_dataset(conn, "ds")
        app.state["webhooks"].wake()
        await receiver.wait_until(lambda r: len(r.received) == 1)


async def test_two_processes_deliver_each_delivery_once(db, pg_dsn, conn, receiver) -> None:
    async with running_app(pg_dsn, DELIVERING) as one, running_app(pg_dsn, DELIVERING) as other:
        one.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        wid, _ = await create(one, receiver.url + "/hook", REGISTERED)
        for i in range(40):
            await make_dataset(conn, f"ds-{i}")
            one.state["webhooks"].wake()
            other.state["webhooks"].wake()
        await receiver.wait_until(lambda r: len(r.received) >= 40)
        await until_settled(one, wid, 40)
    assert len(receiver.received) == 40
    assert len({r.delivery for r in receiver.received}) == 40
