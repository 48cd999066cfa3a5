"""Timestamps read the same from every surface, whoever renders them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain import iso_utc
from tests.factories import make_model
from tests.http import running_app

CASES = [
    ("2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05+00:00"),
    ("2026-01-02T03:04:05.120000+00:00", "2026-01-02T03:04:05.12+00:00"),
    ("2026-01-02T03:04:05.000001+00:00", "2026-01-02T03:04:05.000001+00:00"),
    ("2026-01-02T03:04:05.500000+02:00", "2026-01-02T01:04:05.5+00:00"),
]


@pytest.mark.parametrize(("stored", "shown"), CASES)
def test_iso_utc_writes_utc_without_trailing_zeros(stored, shown):
    assert iso_utc(datetime.fromisoformat(stored)) == shown


def test_iso_utc_reads_back_as_the_same_instant():
    moment = datetime(2026, 5, 6, 7, 8, 9, 123400, tzinfo=timezone(timedelta(hours=-5)))
    assert datetime.fromisoformat(iso_utc(moment)) == moment.astimezone(UTC)


@pytest.mark.parametrize(("stored", "shown"), CASES)
@pytest.mark.parametrize("fast", ["1", "0"], ids=["fast path", "resolvers"])
async def test_every_surface_shows_the_same_created_at(db, pg_dsn, conn, stored, shown, fast):
    await make_model(conn, "m")
    await conn.execute(
        "update artifacts set created_at = $1 where id = 'm-v1'", datetime.fromisoformat(stored)
    )
    async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
        data = await api.data('{ model(id: "m-v1") { createdAt } models { items { createdAt } } }')
        assert data["model"]["createdAt"] == shown
        assert data["models"]["items"] == [{"createdAt": shown}]
        listed = (await api.client.get("/api/models")).json()["models"][0]
        assert listed["created_at"] == shown
        detail = (await api.client.get("/api/models/m-v1")).json()
        assert detail["created_at"] == shown
