"""The listener survives a PostgreSQL restart: events committed after it (and while it was
reconnecting) still reach a subscriber that stayed connected to the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.pool import connect_direct
from app.events import EventName
from app.repo import events as event_repo
from tests.client_server import serving
from tests.feed_clients import EVENTS, session, subscribe, take
from tests.restartable_postgres import RestartablePostgres, restartable_postgres

pytestmark = pytest.mark.process


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres("feed_restart_test") as pg:
        yield pg


async def record(dsn: str, n: int) -> None:
    conn = await connect_direct(dsn)
    try:
        async with conn.transaction():
            await event_repo.record(conn, EventName.TAGS_CHANGED, {"n": n})
    finally:
        await conn.close()


async def test_the_listener_reconnects_after_the_database_restarts(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    with serving(postgres.dsn, tmp_path / "app.log", REGISTRY_FEED_POLL_S="0.5") as app:
        async with session(app.url) as s:
            stream = subscribe(s, EVENTS, {"after": 0})
            await record(postgres.dsn, 1)
            (before,) = await take(stream, 1)
            postgres.stop()
            postgres.start()
            await record(postgres.dsn, 2)
            await record(postgres.dsn, 3)
            after = await take(stream, 2)
    assert before["events"]["payload"] == {"n": 1}
    assert [e["events"]["payload"] for e in after] == [{"n": 2}, {"n": 3}]
    assert "change feed listener lost its connection" in app.log.read_text()
