"""`make bench`: generate, start the three targets, check they agree, load them, report.

Settings (environment):
  BENCH_SIZES=1000,100000      catalog sizes, in model versions
  BENCH_WORKLOADS=a,b,c,d,e,f,g,h,i  workloads at sizes below 10,000 (h brings h0, its first page)
  BENCH_LARGE_WORKLOADS=a,b,g,h,i    workloads at 10,000 and more (plans run at every size)
  BENCH_ROUNDS=3  BENCH_DURATION=3 (seconds per wrk run, at least)  BENCH_CONCURRENCY=1,32
  BENCH_SEED=8  BENCH_REGENERATE=1 (ignore a catalog generated earlier)
  BENCH_OURS=serve (python -m app serve, default) | factory (uvicorn app.asgi:create)
  BENCH_ACCESS_LOG=1  keep the registry's per-request log line (off by default)
  DATABASE_URL  use this server instead of the embedded one in bench/.work/pg
  BENCH_BASELINE=<git rev>  also run that revision's registry, as "baseline" (bench/baseline.py)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg

from bench import baseline, measure, plans, report, search_workloads, targets, variants
from bench.database import BENCH_DIR, Server
from bench.results import Results
from bench.targets import Target
from bench.workloads import Request, Workload, pick_params, workloads

WORK = BENCH_DIR / ".work"
LARGE = 10_000
# A run at concurrency c lasts long enough for each connection to finish about this many
# requests at the target's single-client rate, within [BENCH_DURATION, MAX_DURATION] seconds.
REQUESTS_PER_CONNECTION = 2
MAX_DURATION = 8

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", flush=True)


def _env_list(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@contextlib.asynccontextmanager
async def _connect(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn)
    try:
        yield conn
    finally:
        await conn.close()


class Bench:
    def __init__(self) -> None:
        self.sizes = [int(s) for s in _env_list("BENCH_SIZES", "1000,100000")]
        self.small = _with_first_pages(_env_list("BENCH_WORKLOADS", "a,b,c,d,e,f,g,h,i"))
        self.large = _with_first_pages(_env_list("BENCH_LARGE_WORKLOADS", "a,b,g,h,i"))
        self.rounds = _env_int("BENCH_ROUNDS", 3)
        self.duration = _env_int("BENCH_DURATION", 3)
        self.concurrency = [int(c) for c in _env_list("BENCH_CONCURRENCY", "1,32")]
        self.seed = _env_int("BENCH_SEED", 8)
        self.db = Server(WORK, os.environ.get("DATABASE_URL") or None)
        self.baseline_rev = os.environ.get("BENCH_BASELINE", "").strip()
        self.results = Results(
            settings={
                "sizes": self.sizes,
                "workloads": {"small": self.small, f">={LARGE}": self.large},
                "rounds": self.rounds,
                "min_duration_s": self.duration,
                "concurrency": self.concurrency,
                "seed": self.seed,
                "ours": os.environ.get("BENCH_OURS", "serve"),
                "ours_access_log": os.environ.get("BENCH_ACCESS_LOG", "0"),
            }
        )
        if self.baseline_rev:
            self.results.settings["baseline"] = self.baseline_rev
        # Single-client req/s per (size, workload, target), from the warm-up.
        self.single_rps: dict[tuple[int, str, str], float] = {}

    async def run(self) -> None:
        self.results.load_before = os.getloadavg()
        if self.baseline_rev:
            b = baseline.checkout(self.baseline_rev, WORK)
            self.results.baseline = b
            log(f"baseline: {b.short} {b.subject} ({b.path.relative_to(BENCH_DIR.parent)})")
        cli = targets.install_postgraphile(WORK)
        await self.db.start()
        try:
            async with _connect(self.db.admin_dsn) as conn:
                self.results.postgres_version = await conn.fetchval("show server_version")
            self.results.stats = self.db.stats
            for size in self.sizes:
                regenerate = os.environ.get("BENCH_REGENERATE") == "1"
                dsn = await self.db.prepare(size, self.seed, regenerate=regenerate)
                async with _connect(dsn) as conn:
                    params = await pick_params(conn)
                    search = await search_workloads.pick(conn)
                self.results.params[size] = params
                self.results.search_params[size] = search
                wanted = self.large if size >= LARGE else self.small
                every = workloads(params) + search_workloads.workloads(search)
                await self.one_size(size, dsn, cli, [w for w in every if w.key in wanted])
                log(f"plans: {size}: EXPLAIN ANALYZE of the model list under each filter and sort")
                self.results.plans[size] = await plans.list_plans(dsn, params)
                log(f"plans: {size}: EXPLAIN ANALYZE of ours' statements for (g), (h), (i)")
                self.results.search_plans[size] = await plans.search_plans(dsn, search)
        finally:
            self.db.stop()
        self.results.load_after = os.getloadavg()
        self.results.wall_s = time.perf_counter() - _T0
        text = report.render(self.results)
        out = BENCH_DIR / "results" / "LATEST.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(text)
        (WORK / "plans.txt").write_text(report.plan_texts(self.results))
        print(text)
        log(f"wrote {out.relative_to(BENCH_DIR.parent)}; every plan in full: {WORK / 'plans.txt'}")

    async def one_size(self, size: int, dsn: str, cli: Path, chosen: list[Workload]) -> None:
        logs = WORK / "logs" / str(size)
        running = [targets.start_ours(dsn, logs)]
        if self.results.baseline:
            running.append(targets.start_ours(dsn, logs, "baseline", self.results.baseline.path))
            baseline.add_requests(chosen)
        chosen_variants = variants.chosen()
        running += variants.start(chosen_variants, dsn, logs)
        variants.add_requests(chosen_variants, chosen)
        running += [targets.start_postgraphile(cli, dsn, logs), targets.start_floor(dsn, logs)]
        try:
            for t in running:
                targets.wait_ready(t)
            log(f"{size}: targets ready: " + ", ".join(f"{t.name} :{t.port}" for t in running))
            for w in chosen:
                if w.deep is not None:
                    await walk_cursors(w, [t for t in running if t.name in targets.REGISTRIES])
            active = self.check(size, running, chosen)
            if self.results.stats:
                log(f"{size}: SQL statements per request (pg_stat_statements)")
                for w in active:
                    for t in self.able(running, w):
                        count = await measure.sql_per_request(dsn, t, w)
                        self.results.sql[(size, w.key, t.name)] = count
            log(f"{size}: warm-up, 1 s per target and workload at concurrency 1")
            for w in active:
                for t in self.able(running, w):
                    run = measure.wrk(t, w, 1, 1, self.db.cpu_seconds)
                    self.single_rps[(size, w.key, t.name)] = run.rps
            self.load(size, running, active)
            for t in running:
                self.results.peak_rss[(size, t.name)] = t.peak_rss_mb()
        finally:
            for t in running:
                targets.stop(t)

    def check(self, size: int, running: list[Target], chosen: list[Workload]) -> list[Workload]:
        """The workloads our server can answer, each checked for equal answers."""
        active = []
        for w in chosen:
            why = measure.available(w, running[0])
            if why:
                self.results.skipped[(size, w.key)] = why
                log(f"skip {w.label}: {why}")
                continue
            base = next((t for t in running if t.name == "baseline"), None)
            why = measure.available(w, base) if base else None
            if why:
                # Ours and the others still run it; the baseline predates the question.
                del w.requests["baseline"]
                self.results.skipped[(size, w.key)] = f"for the baseline only ({why})"
                log(f"skip {w.label} for the baseline: {why}")
            measure.check_same(w, self.able(running, w))
            active.append(w)
            self.results.workloads[w.key] = w
        return active

    @staticmethod
    def able(running: list[Target], w: Workload) -> list[Target]:
        return [t for t in running if t.name in w.requests]

    def seconds(self, size: int, w: Workload, t: Target, c: int) -> int:
        rps = self.single_rps.get((size, w.key, t.name)) or 1.0
        wanted = math.ceil(REQUESTS_PER_CONNECTION * c / rps)
        return max(self.duration, min(MAX_DURATION, wanted))

    def load(self, size: int, running: list[Target], active: list[Workload]) -> None:
        turn = 0
        for r in range(self.rounds):
            log(f"{size}: round {r + 1}/{self.rounds}")
            for i, (w, c) in enumerate(itertools.product(active, self.concurrency)):
                able = self.able(running, w)
                # Alternate: each run starts with another target than the last.
                turn += 1
                order = able[turn % len(able) :] + able[: turn % len(able)]
                _take_turns(order, ours_first=(r + i) % 2 == 0)
                for t in order:
                    secs = self.seconds(size, w, t, c)
                    run = measure.wrk(t, w, c, secs, self.db.cpu_seconds)
                    self.results.runs.setdefault((size, w.key, c, t.name), []).append(run)
                    print(_line(w, c, t, run, secs), flush=True)
            for t in running:
                self.results.rss.setdefault((size, t.name), []).append(t.rss_mb())


def _with_first_pages(keys: list[str]) -> list[str]:
    """The workloads asked for, with (h0) wherever (h) is: (h) is judged against it."""
    return [*keys, "h0"] if "h" in keys and "h0" not in keys else keys


async def walk_cursors(w: Workload, registries: list[Target]) -> None:
    """Give each registry its request for the deep page ``w`` asks, walking its own pages."""
    assert w.deep is not None
    for t in registries:

        async def ask(req: Request, t: Target = t) -> Any:
            return (await asyncio.to_thread(measure.ask, t, req)).json()

        try:
            cursor = await search_workloads.walk_cursor(ask, w.deep)
        except (ValueError, KeyError, AssertionError) as e:
            if t.name == "ours":
                raise
            log(f"(h) {t.name}: no deep page ({e}); it runs without (h)")
            continue
        log(f"(h) {t.name}: walked {w.deep} items to the deep page's cursor")
        w.requests[t.name] = search_workloads.metric_page(cursor)
        w.adapters[t.name] = w.adapters["ours"]


def _take_turns(order: list[Target], ours_first: bool) -> None:
    """Put ours or the baseline first of the two, as asked, keeping the rotation's slots."""
    # The rotation alone would not alternate them: with four targets and four runs a round,
    # each workload and concurrency meets the same order in every round.
    slots = [i for i, t in enumerate(order) if t.name in targets.REGISTRIES]
    if len(slots) == 2 and (order[slots[0]].name == "ours") != ours_first:
        i, j = slots
        order[i], order[j] = order[j], order[i]


def _line(w: Workload, c: int, t: Target, run: measure.Run, secs: int) -> str:
    cpu_ms = 1000 * (run.server_cpu_s + run.db_cpu_s) / max(run.requests, 1)
    return (
        f"  ({w.key}) c={c:<2} {t.name:<12} {run.rps:8.1f} req/s  p50 {run.p50_ms:7.1f} ms"
        f"  p99 {run.p99_ms:7.1f} ms  cpu {cpu_ms:6.2f} ms/req  {secs}s"
        f"  other load {100 * run.other_load:3.0f}%"
        + (f"  ERRORS {run.errors}" if run.errors else "")
    )


def main() -> int:
    asyncio.run(Bench().run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
