"""Random valid queries get the same answer, errors included, from the compiled fast path and
from the resolvers; and the compiled SQL answers at least half of them.

The queries come from tests.query_generator (a generator over the schema's declarations,
seeded, so every run sends the same QUERIES queries). The catalog is both the synthetic one of
bench/generate.py (SIZE model versions with datasets, analyses and hypotheses around them:
multi-version lineages, floating links, derived_from chains, enough rows for paging and
offsets) and the demo catalog registered on top through the real service (hand-written titles
and metadata, declared metric directions, audit entries). fill() wants an empty database, so
it goes first; the demo entries link only to each other.

Each query is POSTed to two in-process apps on that database: one with the fast path, one
with REGISTRY_FAST_PATH=0. Status codes and whole bodies (errors too) must be equal, keys in
the same order. One difference is allowed: a Float with an integral value is written 0 by
PostgreSQL's JSON and 0.0 by graphql-core, which is the same JSON number. An error the app
logs while answering (the fast path logs an exception before it falls back) fails the test.

Because the fast path fails closed, a test of the resolvers against themselves would pass
too; so the test records what the app's FastPath.execute returned for each request, checks
that an answer it gave took exactly one compiled statement, and fails when the compiled
share drops below MIN_COMPILED_SHARE. Run with -s for the counts.
"""

from __future__ import annotations

import gc
import json
import time
from collections import Counter
from logging import ERROR
from typing import Any

import asyncpg
import pytest

from app.demo.load import CATALOG, to_new_artifact
from app.schema import schema
from app.schema.fastpath import FastPath
from app.service.register import register
from bench.generate import fill
from tests.http import Api, running_app
from tests.query_generator import Generated, QueryGenerator
from tests.query_values import KINDS, CatalogIds

SEED = 20_260_513
QUERIES = 300
SIZE = 300
MIN_COMPILED_SHARE = 0.5
RACES = 20  # answers with errors asked again of the resolvers (see the loop)
# app.repo.compiled.render.Renderer.statement: how every compiled statement starts.
COMPILED = "select case when octet_length(t) <= "
# graphql-core cancels the pending siblings of a field that raised (a nested page out of
# range, say); a sibling task cancelled before it started never awaits the resolver coroutine
# it was given, and Python warns when that coroutine is collected. Nothing ran, so nothing is
# lost; it is graphql-core's (graphql-python/graphql-core#236 and #269 are of this kind).
# The coroutine may be the resolver's, or one of graphql-core's executor steps awaiting it.
UNAWAITED = r"coroutine '(.*_async_resolver|Executor\..*)' was never awaited"


async def seeded_catalog(pg_dsn: str, conn: asyncpg.Connection) -> CatalogIds:
    raw = await asyncpg.connect(pg_dsn)  # fill() needs a connection without the pool's codecs
    try:
        await fill(raw, SIZE, seed=SEED)
    finally:
        await raw.close()
    for entry in json.loads(CATALOG.read_text())["artifacts"]:
        await register(conn, to_new_artifact(entry))
    # Tags and archived versions, so both paths read and filter them (hashtext is stable).
    await conn.execute(
        """
        insert into tags (artifact_id, key, value)
        select id, 'stage', (array['dev', 'prod', ''])[1 + abs(hashtext(id)) % 3]
        from artifacts where abs(hashtext(id)) % 4 = 0
        union all
        select id, 'team', 'core' from artifacts where abs(hashtext(id || 't')) % 5 = 0
        """
    )
    await conn.execute(
        "update artifacts set archived_at = clock_timestamp(), archived_reason = 'retired' "
        "where abs(hashtext(id)) % 7 = 0"
    )
    # Aliases on some versions (any version of its lineage), so both paths filter by them.
    await conn.execute(
        """
        insert into aliases (lineage_id, alias, version_id)
        select lineage_id, (array['production', 'staging'])[1 + abs(hashtext(id || 'a')) % 2], id
        from artifacts where abs(hashtext(id || 'a')) % 6 = 0
        on conflict do nothing
        """
    )
    rows = await conn.fetch("select id, lineage_id, kind, title from artifacts order by id")
    words = sorted({w for r in rows for w in r["title"].split() if len(w) > 1})
    return CatalogIds(
        versions={k: [r["id"] for r in rows if r["kind"] == k] for k in KINDS},
        lineages={k: sorted({r["lineage_id"] for r in rows if r["kind"] == k}) for k in KINDS},
        words=words,
    )


def ordered(value: Any) -> Any:
    """JSON as nested tuples: key order counts, 52 equals 52.0, true does not equal 1."""
    if isinstance(value, dict):
        return ("{", *((k, ordered(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("[", *(ordered(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    return value


async def ask(api: Api, q: Generated) -> tuple[int, Any]:
    r = await api.client.post("/graphql", json={"query": q.query, "variables": q.variables})
    body = r.json()
    # A field error in every item of a list is reported for whichever item fails first; the
    # items resolve concurrently, so which index the path names may vary. What the error
    # nulls is in the data, compared whole.
    for e in body.get("errors", []):
        e["path"] = [p if isinstance(p, str) else "#" for p in e.get("path") or []]
    return r.status_code, body


def spy_on(fastpath: FastPath) -> list[Any]:
    """What the app's FastPath.execute returns, call by call (the lane and the endpoint
    both call it through this instance); None means it left the query to the resolvers."""
    returned: list[Any] = []
    execute = fastpath.execute

    async def recorded(*args: Any) -> Any:
        found = await execute(*args)
        returned.append(found)
        return found

    fastpath.execute = recorded  # type: ignore[method-assign]
    return returned


@pytest.mark.filterwarnings(f"ignore:{UNAWAITED}:RuntimeWarning")
async def test_random_queries_get_the_same_answer_from_both_paths(db, pg_dsn, conn, caplog):
    ids = await seeded_catalog(pg_dsn, conn)
    generator = QueryGenerator(schema._schema, ids, SEED)
    tally: Counter[str] = Counter()
    asked: Counter[str] = Counter()  # queries asking each root field
    compiled_by_root: Counter[str] = Counter()
    differences = []
    started = time.perf_counter()
    async with (
        running_app(pg_dsn) as fast,
        running_app(pg_dsn, {"REGISTRY_FAST_PATH": "0"}) as slow,
    ):
        fastpath = fast.state["fastpath"]
        returned = spy_on(fastpath)
        for _ in range(QUERIES):
            q = generator.query()
            fast.sql.reset()
            returned.clear()
            logged = len(caplog.records)
            fast_answer = await ask(fast, q)
            answered = any(r is not None for r in returned)
            statements = sum(st.startswith(COMPILED) for st in fast.sql.statements)
            compiled = fastpath.compile(q.query, q.variables, None) is not None
            slow_answer = await ask(slow, q)
            for _ in range(RACES):
                # Out-of-range arguments of two sibling fields race: the answer names the
                # error raised first, which may differ between two runs of the resolvers.
                # The fast path's answer is right when the resolvers give it too.
                if ordered(fast_answer) == ordered(slow_answer) or "errors" not in slow_answer[1]:
                    break
                slow_answer = await ask(slow, q)
            tally["queries"] += 1
            asked.update(set(q.roots))
            if answered:
                tally["answered by the compiled statement"] += 1
                compiled_by_root.update(set(q.roots))
            elif compiled:
                tally["compiled, then left to the resolvers (a guard or the budget)"] += 1
            else:
                tally["declined by the compiler"] += 1
            if "errors" in slow_answer[1]:
                tally["with errors"] += 1
            problems = [r.getMessage() for r in caplog.records[logged:] if r.levelno >= ERROR]
            if answered and statements != 1:
                problems.append(f"answered with {statements} compiled statements, not one")
            if ordered(fast_answer) != ordered(slow_answer) or problems:
                differences.append((q, fast_answer, slow_answer, problems))
    gc.collect()  # such coroutines are collected here, not during another test
    took = time.perf_counter() - started
    share = tally["answered by the compiled statement"] / QUERIES
    print(f"\n{QUERIES} random queries in {took:.1f}s, compiled share {share:.0%}: {dict(tally)}")
    print("queries answered by the compiled statement / asked, by the root fields they ask:")
    print(", ".join(f"{r} {compiled_by_root[r]}/{n}" for r, n in asked.most_common()))
    report = "\n\n".join(
        f"query: {q.query}\nvariables: {q.variables}\nfast: {f}\nresolvers: {s}\nalso: {p}"
        for q, f, s, p in differences
    )
    assert not differences, f"{len(differences)} queries differ:\n\n{report}"
    assert share >= MIN_COMPILED_SHARE, dict(tally)
