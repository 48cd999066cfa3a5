"""While the heaviest admissible request runs, the process keeps answering everyone else."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from bench.generate import fill
from tests.http import running_app

ARTIFACT = "id lineageId kind versionNumber isLatest title description createdAt metadata"
MODEL = (
    f"{ARTIFACT} family architecture parameterCount trainingConfig qualityScore rawQualityScore"
    " evaluationMetrics { name value better } provenance { complete warnings { code message } }"
)
# Every model of a page, what each was trained on, and every model trained on those: through
# the resolvers (the directive), as much work as the response budget lets one request do.
HEAVY = f"""{{ models(limit: 100) @include(if: true) {{ items {{ {MODEL}
  trainedOn(limit: 3) {{ {ARTIFACT} trainedModels(limit: 12) {{ {MODEL} }} }}
  versions(limit: 5) {{ {MODEL} }} }} }} }}"""
# The stated longest turn is 0.5 s, 5% of the 10 s deadline (app.schema.context); the bound
# here is four times that, since the whole suite shares the machine's 2 cores (1.2 s gaps have
# been seen under it), and still a fifth of the deadline: a request that held the loop would
# hold it for seconds.
LONGEST_GAP_S = 2.0


async def test_the_heaviest_admissible_request_yields_to_others(db, pg_dsn):
    raw = await asyncpg.connect(pg_dsn)
    try:
        await fill(raw, 1000, seed=7)
    finally:
        await raw.close()
    async with running_app(pg_dsn) as api:
        done = asyncio.Event()
        gaps: list[float] = []
        health: list[int] = []

        async def tick() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        async def probe() -> None:
            while not done.is_set():
                health.append((await api.client.get("/healthz")).status_code)
                await asyncio.sleep(0.02)

        async def heavy() -> dict:
            try:
                return (await api.client.post("/graphql", json={"query": HEAVY})).json()
            finally:
                done.set()

        body, *_ = await asyncio.gather(heavy(), tick(), probe())
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RESPONSE_TOO_LARGE"]
    assert max(gaps) < LONGEST_GAP_S, sorted(gaps)[-5:]
    assert len(health) >= 3 and set(health) == {200}
