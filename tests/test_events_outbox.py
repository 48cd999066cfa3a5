"""The outbox: every committed write records its events, a rolled-back one none, in commit order."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.domain import LinkSpec, LinkType
from app.errors import InvalidInput, NotFound
from app.events import EventName, check_names
from app.repo import events as event_repo
from app.service import aliases, curate, lifecycle
from tests.factories import make_analysis, make_dataset, make_model

pytestmark = pytest.mark.asyncio


async def _since(conn: asyncpg.Connection, after: int) -> list[tuple[str, dict]]:
    return [(e.name.value, e.payload) for e in await event_repo.after(conn, after, [], 500)]


async def _last(conn: asyncpg.Connection) -> int:
    return (await event_repo.positions(conn))[0]


async def test_a_registration_records_its_version_and_what_floats_on_it(conn) -> None:
    ds = await make_dataset(conn, "ds")
    model = await make_model(conn, "m", trained_on=("ds",))
    pinned = await make_model(conn, "p", trained_on=(ds.id,))
    start = await _last(conn)
    ds2 = await make_dataset(conn, "ds")
    events = await _since(conn, start)
    assert events[0] == (
        "version.registered",
        {"id": ds2.id, "lineageId": "ds", "kind": "dataset", "version": 2},
    )
    changed = [p["id"] for name, p in events if name == "provenance.changed"]
    # The floating model reads the new version; the pinned one still reads version 1.
    assert changed == [model.id]
    assert pinned.id not in changed
    assert events[1][1]["cause"] == {"action": "register", "id": ds2.id}


async def test_curating_an_analysis_reaches_the_models_it_produced(conn) -> None:
    ds = await make_dataset(conn, "ds")
    an = await make_analysis(conn, "an")
    pinned = await make_model(conn, "m1", trained_on=(ds.id,), produced_by=an.id)
    floating = await make_model(conn, "m2", trained_on=(ds.id,), produced_by="an")
    other = await make_model(conn, "m3", trained_on=(ds.id,))
    start = await _last(conn)
    await curate.add_links(conn, an.id, [LinkSpec(LinkType.USES, ds.id)], "alice")
    events = await _since(conn, start)
    assert {p["id"] for _, p in events} == {an.id, pinned.id, floating.id}
    assert other.id not in {p["id"] for _, p in events}
    assert {name for name, _ in events} == {"provenance.changed"}
    assert all(p["cause"] == {"action": "add_links", "id": an.id} for _, p in events)


async def test_archive_restore_tags_and_alias_moves_are_recorded(conn) -> None:
    m1 = await make_model(conn, "m")
    m2 = await make_model(conn, "m")
    start = await _last(conn)
    await lifecycle.archive(conn, m1.id, "superseded", "alice")
    await lifecycle.restore(conn, m1.id, "needed", "alice")
    mover = aliases.Mover("alice", may_promote=True)
    await aliases.set_alias(conn, "m", "prod", m1.id, "first", None, mover)
    await aliases.set_alias(conn, "m", "prod", m2.id, "better", None, mover)
    await aliases.remove_alias(conn, "m", "prod", "retired", None, mover)
    names = [name for name, _ in await _since(conn, start)]
    assert names == [
        "version.archived",
        "version.restored",
        "alias.moved",
        "alias.moved",
        "alias.moved",
    ]
    moves = [p for name, p in await _since(conn, start) if name == "alias.moved"]
    assert [(p["from"], p["to"]) for p in moves] == [(None, m1.id), (m1.id, m2.id), (m2.id, None)]


async def test_a_rolled_back_write_records_nothing(conn) -> None:
    await make_dataset(conn, "ds")
    start = await _last(conn)
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await make_dataset(conn, "ds")
            assert await event_repo.after(conn, start, [], 10) == []
            raise RuntimeError("fails after its events were recorded")
    assert await _since(conn, start) == []
    # A write that fails its own checks leaves none either.
    with pytest.raises(NotFound):
        await make_model(conn, "m", trained_on=("no-such-dataset",))
    assert await _since(conn, start) == []


async def test_ids_follow_commit_order(db) -> None:
    """A transaction that recorded its event first but commits last gets the larger id."""
    async with db.acquire() as a, db.acquire() as b:
        start = await _last(a)
        slow = a.transaction()
        await slow.start()
        await event_repo.record(a, EventName.ALIAS_MOVED, {"which": "slow"})
        await event_repo.record(b, EventName.ALIAS_MOVED, {"which": "fast"})
        await slow.commit()
        events = await event_repo.after(a, start, [], 10)
    assert [e.payload["which"] for e in events] == ["fast", "slow"]
    assert events[0].id < events[1].id


async def test_a_reader_never_sees_a_later_id_before_an_earlier_one(db) -> None:
    """Concurrent writers: every id a reader sees has all smaller ids visible with it."""
    async with db.acquire() as c:
        start = await _last(c)

    async def write(i: int) -> None:
        async with db.acquire() as w:
            for j in range(20):
                async with w.transaction():
                    await event_repo.record(w, EventName.TAGS_CHANGED, {"w": i, "j": j})

    seen: list[int] = []

    async def read() -> None:
        async with db.acquire() as r:
            last = start
            for _ in range(200):
                page = await event_repo.after(r, last, [], 500)
                seen.extend(e.id for e in page)
                if page:
                    last = page[-1].id
                await asyncio.sleep(0)

    await asyncio.gather(*(write(i) for i in range(4)), read())
    async with db.acquire() as c:
        every = [e.id for e in await event_repo.after(c, start, [], 500)]
    assert len(every) == 80
    # What the reader saw, in order, is a prefix-consistent walk of the final order.
    assert seen == every[: len(seen)]


async def test_names_filter_the_feed_and_unknown_names_are_refused(conn) -> None:
    start = await _last(conn)
    await make_dataset(conn, "ds")
    await make_model(conn, "m", trained_on=("ds",))
    await make_dataset(conn, "ds")
    only = await event_repo.after(conn, start, [EventName.PROVENANCE_CHANGED], 10)
    assert [e.payload["id"] for e in only] == ["m-v1"]
    with pytest.raises(InvalidInput) as refused:
        check_names(["version.registered", "version.deleted"])
    assert refused.value.code == "UNKNOWN_EVENT"


async def test_retention_prunes_old_events_and_remembers_where(conn) -> None:
    await make_dataset(conn, "ds")
    await conn.execute("update events set at = at - interval '10 days'")
    last, _ = await event_repo.positions(conn)
    assert await event_repo.prune(conn, 7) >= 1
    await make_dataset(conn, "ds")
    after_prune, pruned_through = await event_repo.positions(conn)
    assert pruned_through == last
    assert after_prune > last
