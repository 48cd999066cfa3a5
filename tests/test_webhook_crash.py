"""A registry process killed with SIGKILL in the middle of deliveries loses none: after a
restart the receiver has every committed write's event at least once, none of a rolled-back
write, and exactly one per event once de-duplicated by the delivery id."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.domain import Kind, NewArtifact
from app.service.register import register
from tests.client_server import Served, serving
from tests.factories import make_token
from tests.webhook_receiver import Receiver, receiving
from tests.webhook_steps import CREATE, readme_verify

pytestmark = [pytest.mark.process, pytest.mark.asyncio]

WRITES = 200
# The receiver answers this many deliveries, then holds every later one open: the first
# process is killed while those are in flight.
ANSWERED_BEFORE_THE_KILL = 60
ENV = {
    "REGISTRY_WEBHOOK_ALLOW_PRIVATE": "1",
    "REGISTRY_WEBHOOK_POLL_S": "0.05",
    "REGISTRY_WEBHOOK_BACKOFF_S": "0.05",
    # Long enough that held deliveries wait out the writes, rather than time out and retry.
    "REGISTRY_WEBHOOK_TIMEOUT_S": "20",
    "REGISTRY_WEBHOOK_LEASE_S": "20",
}
REGISTER = """
mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { id } }
"""


async def _post(http: httpx.AsyncClient, served: Served, query: str, variables: dict) -> dict:
    r = await http.post(served.url + "/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]


async def _statuses(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("select status, count(*) as n from webhook_deliveries group by 1")
    return {r["status"]: r["n"] for r in rows}


async def test_a_killed_process_loses_no_delivery(
    conn: asyncpg.Connection, pg_dsn: str, tmp_path: Path
) -> None:
    verify = readme_verify()
    token = await make_token(conn, "admin")
    headers = {"authorization": f"Bearer {token}"}
    receiver = Receiver(hold_after=ANSWERED_BEFORE_THE_KILL)
    committed: list[str] = []
    with receiving(receiver):
        async with httpx.AsyncClient(headers=headers, timeout=30, trust_env=False) as http:
            with serving(pg_dsn, tmp_path / "first.log", **ENV) as first:
                made = await _post(
                    http,
                    first,
                    CREATE,
                    {"url": receiver.url + "/hook", "events": ["version.registered"]},
                )
                secret = made["createWebhook"]["secret"]

                async def write(i: int) -> None:
                    variables = {"input": {"lineageId": f"crash-{i}", "title": f"Crash {i}"}}
                    data = await _post(http, first, REGISTER, variables)
                    committed.append(data["registerDataset"]["id"])

                for start in range(0, WRITES, 10):
                    await asyncio.gather(*(write(i) for i in range(start, start + 10)))
                    if start == WRITES // 2:
                        # Its event is recorded, then its transaction rolls back.
                        with pytest.raises(RuntimeError):
                            async with conn.transaction():
                                await register(
                                    conn, NewArtifact(Kind.DATASET, "rolled-back", "Never")
                                )
                                raise RuntimeError("the write fails after its event")
                await receiver.wait_until(lambda r: r.held > 0)
                first.proc.kill()
                first.proc.wait(timeout=10)
            before_restart = await _statuses(conn)
            receiver.hold_after = None
            receiver.release()
            with serving(pg_dsn, tmp_path / "second.log", **ENV):
                await receiver.wait_until(
                    lambda r: len({x.json["event"]["payload"]["id"] for x in r.received}) >= WRITES,
                    limit_s=120,
                )
                for _ in range(600):
                    if (await _statuses(conn)).get("delivered") == WRITES:
                        break
                    await asyncio.sleep(0.05)
    # The kill came while deliveries were claimed and others waited.
    assert before_restart.get("delivering", 0) > 0, before_restart
    assert before_restart.get("pending", 0) > 0, before_restart
    assert await _statuses(conn) == {"delivered": WRITES}
    received = list(receiver.received)
    assert all(verify([secret], r.headers, r.body) for r in received)
    events = {r.json["event"]["payload"]["id"] for r in received}
    assert len(committed) == WRITES
    assert events == set(committed)
    assert not any(e.startswith("rolled-back") for e in events)
    by_delivery = {r.delivery: r.json["event"]["id"] for r in received}
    assert len(by_delivery) == WRITES
    assert len(set(by_delivery.values())) == WRITES
    # Those held when the process died came again from the second one.
    assert len(received) - WRITES >= receiver.held > 0
    print(
        f"{len(received)} requests for {WRITES} events; {receiver.held} held at the kill; "
        f"before the restart {before_restart}"
    )
